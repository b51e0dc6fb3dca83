"""Telling the people affected: a fixed notice in the app and an e-mail without content, to
members of the incident's organization only, once each; the record of who was told when is
kept, audited, on each person's access log and in their data export."""

from __future__ import annotations

import pytest

from mentorhaven.incidents.models import IncidentNotice
from mentorhaven.incidents.notices import incident_notify, parse_addresses
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.privacy.export.registry import SECTIONS

pytestmark = pytest.mark.django_db


def _notify(officer, incident, *people, template="data_exposure"):
    return incident_notify(
        actor=officer, incident_id=incident.public_id, template=template,
        emails=[p.email for p in people],
    )  # fmt: skip


def test_people_are_told_in_the_app_and_by_an_email_without_content(
    personas, officer, incident, mailoutbox, django_capture_on_commit_callbacks, login
):
    with django_capture_on_commit_callbacks(execute=True):
        made = _notify(officer, incident, personas.cara, personas.dev)
    assert {n.user for n in made} == {personas.cara, personas.dev}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([personas.cara.email, personas.dev.email])
    for mail in mailoutbox:
        assert "/incidents/notices/" in mail.body
        assert "exposed" not in mail.body and "phished" not in mail.body
    page = login(personas.cara).get("/incidents/notices/").content.decode()
    assert "Some of your data may have been exposed" in page
    assert IncidentNotice.objects.get(user=personas.cara).read_at is not None


def test_nobody_is_told_twice_and_the_record_is_audited(personas, officer, incident):
    _notify(officer, incident, personas.cara)
    again = _notify(officer, incident, personas.cara, personas.dev)
    assert [n.user for n in again] == [personas.dev]
    assert IncidentNotice.objects.count() == 2
    events = AuditEvent.objects.filter(action="incident.notify").order_by("id")
    assert [e.extra["people"] for e in events] == [1, 1]
    told = AuditEvent.objects.filter(action="incident.notice")
    assert {e.subject for e in told} == {
        audit.pseudonym(personas.cara),
        audit.pseudonym(personas.dev),
    }


def test_only_members_of_the_organization_and_known_notices(personas, officer, incident):
    with pytest.raises(ValidationFailed):
        _notify(officer, incident, personas.outsider)
    with pytest.raises(ValidationFailed):
        _notify(officer, incident, personas.cara, template="free text")
    with pytest.raises(NotFound):
        _notify(personas.org_admin, incident, personas.cara)
    assert not IncidentNotice.objects.exists()


def test_the_notice_is_in_the_persons_export(personas, officer, incident):
    _notify(officer, incident, personas.cara)
    from types import SimpleNamespace

    rows = list(SECTIONS["security_notices"].rows(SimpleNamespace(user=personas.cara)))
    assert [r["notice"] for r in rows] == ["Some of your data may have been exposed"]
    assert list(SECTIONS["security_notices"].rows(SimpleNamespace(user=personas.dev))) == []


def test_notify_from_the_incident_page(personas, officer, incident, login):
    client = login(officer)
    response = client.post(
        f"/incidents/{incident.public_id}/notify/",
        {"template": "precaution", "recipients": f"{personas.cara.email}\n{personas.dev.email}"},
    )
    assert response.status_code == 302
    assert IncidentNotice.objects.count() == 2
    bad = client.post(
        f"/incidents/{incident.public_id}/notify/",
        {"template": "precaution", "recipients": "nobody@x.test"},
    )
    assert bad.status_code == 302 and IncidentNotice.objects.count() == 2


def test_addresses_are_split_on_lines_commas_and_spaces():
    assert parse_addresses("A@x.test, b@x.test\n a@x.test ;c@x.test") == [
        "a@x.test", "b@x.test", "c@x.test",
    ]  # fmt: skip


def _notices_link(client) -> str | None:
    """The navigation's link to the notices page, as rendered on the dashboard."""
    page = client.get("/dashboard/")
    assert page.status_code == 200
    found = [i for i in page.context["nav_items"] if i.url == "/incidents/notices/"]
    return found[0] if found else None


def test_the_navigation_links_the_notices_only_to_people_who_have_some(
    personas, officer, incident, login, client_factory
):
    caras, devs = login(personas.cara, client_factory()), login(personas.dev, client_factory())
    assert _notices_link(caras) is None
    _notify(officer, incident, personas.cara)
    link = _notices_link(caras)
    assert link is not None and link.count == 1  # unread
    assert 'href="/incidents/notices/"' in caras.get("/dashboard/").content.decode()
    assert caras.get(link.url).status_code == 200
    read = _notices_link(caras)
    assert read is not None and read.count == 0  # still linked once read
    assert _notices_link(devs) is None
