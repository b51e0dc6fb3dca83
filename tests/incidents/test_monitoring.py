"""Monitoring: rules over the audit log raise alerts to the security officers of the account's
organization when a threshold is crossed (and not below it), once per window; thresholds come
from settings; refusals by access helpers are recorded as ``access.denied``; an alert becomes an
incident in one click; the job is on the scheduler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.incidents.models import Alert, Incident
from mentorhaven.incidents.monitoring import alerts_raise
from mentorhaven.kernel import audit, schedule
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import OrgMembership

pytestmark = pytest.mark.django_db


def _people(personas, n: int, prefix: str = "p") -> list[User]:
    found = []
    for i in range(n):
        user = User.objects.create_user(email=f"{prefix}{i}@demo.test", password=None)
        OrgMembership.objects.create(organization=personas.org, user=user)
        found.append(user)
    return found


def test_one_account_reading_many_people_raises_one_alert(personas, officer, settings, mailoutbox):
    settings.MONITORING = {"mass_read": 5}
    audit.record_access(
        viewer=personas.ana, category="personal", purpose="t", subjects=_people(personas, 4)
    )
    assert alerts_raise() == {}
    audit.record_access(
        viewer=personas.ana, category="personal", purpose="t", subjects=_people(personas, 2, "q")
    )
    assert alerts_raise() == {"mass_read": 1}
    alert = Alert.objects.get()
    assert (alert.account, alert.organization, alert.count) == (personas.ana, personas.org, 6)
    assert alerts_raise() == {}  # not twice in one window
    assert AuditEvent.objects.filter(action="alert.raise").count() == 1


def test_the_officers_are_emailed_without_names(personas, officer, settings, mailoutbox,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    settings.MONITORING = {"sign_in_failures": 3}
    for _ in range(3):
        audit.record(action="auth.login_failed", target=personas.cara, subject=personas.cara)
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_raise() == {"sign_in_failures": 1}
    [mail] = mailoutbox
    assert mail.to == [officer.email]
    assert personas.cara.email not in mail.body and "Cara" not in mail.body


def test_events_outside_the_window_do_not_count(personas, officer, settings):
    settings.MONITORING = {"sign_in_failures": 3, "window_minutes": 15}
    for _ in range(3):
        audit.record(action="auth.login_failed", target=personas.cara, subject=personas.cara)
    assert alerts_raise(now=timezone.now() + timedelta(minutes=20)) == {}


def test_second_factor_removal_and_lockout_alert_at_once(personas, officer):
    audit.record(action="mfa.remove", actor=personas.ana, target=personas.ana, subject=personas.ana)
    audit.record(action="auth.login_locked", target=personas.dev, subject=personas.dev)
    assert alerts_raise() == {"second_factor_reset": 1, "sign_in_lockout": 1}


def test_refusals_by_access_helpers_are_recorded_and_probing_alerts(
    personas, officer, settings, client
):
    settings.MONITORING = {"access_denied": 3}
    client.force_login(personas.cara)
    import uuid

    for _ in range(3):
        assert client.get(f"/relationships/{uuid.uuid4()}/").status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied")
    assert denied.count() == 3 and denied.first().actor == audit.pseudonym(personas.cara)
    assert alerts_raise() == {"access_denied": 1}


def test_api_refusals_are_recorded_too(personas, client):
    client.force_login(personas.cara)
    import uuid

    assert client.get(f"/api/v1/relationships/{uuid.uuid4()}").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == 1


def test_token_from_a_new_address_alerts_only_with_a_baseline(personas, officer):
    cara = personas.cara
    audit.record(action="api_token.create", actor=cara, target=cara, subject=cara)
    now = timezone.now()
    UserSession.objects.create(
        user=cara, ip="198.51.100.1", session_key="a", user_agent="x", last_seen_at=now
    )
    assert alerts_raise() == {}  # one session: no baseline
    UserSession.objects.create(
        user=cara, ip="203.0.113.9", session_key="b", user_agent="x",
        last_seen_at=now + timedelta(seconds=1),
    )  # fmt: skip
    assert alerts_raise() == {"token_new_address": 1}


def test_an_alert_becomes_an_incident_in_one_click(personas, officer, login):
    for _ in range(1):
        audit.record(action="mfa.remove", actor=personas.ana, target=personas.ana,
                     subject=personas.ana)  # fmt: skip
    alerts_raise()
    alert = Alert.objects.get()
    client = login(officer)
    assert personas.ana.email in client.get("/incidents/alerts/").content.decode()
    response = client.post(f"/incidents/alerts/{alert.public_id}/open/")
    incident = Incident.objects.get()
    assert response["Location"] == f"/incidents/{incident.public_id}/"
    assert incident.account == personas.ana and incident.stage == "detect"
    alert.refresh_from_db()
    assert alert.incident == incident
    again = client.post(f"/incidents/alerts/{alert.public_id}/open/")
    assert again.status_code == 302 and Incident.objects.count() == 1


def test_other_organizations_officers_do_not_see_the_alert(personas, officer, other_officer,
                                                          login):  # fmt: skip
    audit.record(action="mfa.remove", actor=personas.ana, target=personas.ana, subject=personas.ana)
    alerts_raise()
    alert = Alert.objects.get()
    client = login(other_officer)
    assert personas.ana.email not in client.get("/incidents/alerts/").content.decode()
    assert client.post(f"/incidents/alerts/{alert.public_id}/dismiss/").status_code == 404
    from django.test import Client

    assert login(personas.org_admin, Client()).get("/incidents/alerts/").status_code == 404


def test_monitoring_runs_on_the_scheduler_every_few_minutes():
    job = schedule.get("incidents.monitoring")
    assert job.every <= timedelta(minutes=5)
