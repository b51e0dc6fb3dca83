"""The program health dashboard: who may open it, the k of their role, small groups hidden,
the query count independent of the program's size, and aggregate exports only (audited)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import OrgMembership
from mentorhaven.reporting import services
from mentorhaven.reporting.access import access_program_report
from mentorhaven.reporting.selectors import program_health
from tests.reporting.world import SECRET_TEXT, grow

pytestmark = pytest.mark.django_db


def _url(name, program):
    return reverse(f"reporting:{name}", kwargs={"program_id": program.public_id})


# --- who, and with which k ----------------------------------------------------------------------


def test_program_admin_gets_k_5_and_organization_wide_viewers_k_10(personas):
    assert access_program_report(personas.coordinator, personas.program.public_id).k == 5
    assert access_program_report(personas.org_admin, personas.program.public_id).k == 10
    assert access_program_report(personas.auditor, personas.program.public_id).k == 10


@pytest.mark.parametrize("who", ["ana", "cara", "outsider"])
def test_participants_and_outsiders_get_404(personas, who):
    with pytest.raises(NotFound):
        access_program_report(getattr(personas, who), personas.program.public_id)


def test_organization_policy_raises_k_but_never_below_the_floors(personas):
    services.reporting_policy_update(
        actor=personas.org_admin, organization=personas.org, program_k=7, organization_k=12
    )
    assert access_program_report(personas.coordinator, personas.program.public_id).k == 7
    assert access_program_report(personas.auditor, personas.program.public_id).k == 12
    event = AuditEvent.objects.filter(action="report.policy_update").get()
    assert event.extra == {"program_k": 7, "organization_k": 12}
    for program_k, organization_k in ((4, 10), (5, 9)):
        with pytest.raises(ValidationFailed):
            services.reporting_policy_update(
                actor=personas.org_admin,
                organization=personas.org,
                program_k=program_k,
                organization_k=organization_k,
            )


def test_a_program_setting_can_only_raise_k(personas):
    personas.program.settings = {"min_group_size": 3}
    personas.program.save()
    assert access_program_report(personas.coordinator, personas.program.public_id).k == 5
    personas.program.settings = {"min_group_size": 15}
    personas.program.save()
    assert access_program_report(personas.coordinator, personas.program.public_id).k == 15


def test_policy_page_is_for_org_admins_only(personas, login, client):
    url = reverse("reporting:policy", kwargs={"org_id": personas.org.public_id})
    login(personas.coordinator)
    assert client.get(url).status_code == 404
    client.logout()
    login(personas.org_admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"form": "sizes", "program_k": "3", "organization_k": "10"})
    assert response.status_code == 200  # the form shows the error
    assert (
        client.post(url, {"form": "sizes", "program_k": "6", "organization_k": "10"}).status_code
        == 302
    )
    assert personas.org.reporting_policy.program_k == 6


# --- the figures -------------------------------------------------------------------------------


def test_small_program_hides_its_figures(personas, login, client):
    """Two mentors and two mentees: every figure describes fewer than 5 people."""
    scope = access_program_report(personas.coordinator, personas.program.public_id)
    health = program_health(scope=scope)
    assert health.participants.suppressed
    assert health.match_rate is None and health.satisfaction is None
    login(personas.coordinator)
    page = client.get(_url("dashboard", personas.program)).content.decode()
    assert "Fewer than 5 in all: not shown." in page
    assert "<svg" in page and "<title" in page and "<desc" in page


def test_larger_program_shows_counts_and_bands_but_no_text(personas, login, client):
    grow(personas.program, 12)
    scope = access_program_report(personas.coordinator, personas.program.public_id)
    health = program_health(scope=scope)
    assert health.participants.cells == {"mentee": 14, "mentor": 14}
    assert health.active == 12
    assert str(health.satisfaction) == "4.0-4.5"
    assert health.goal_completion is not None and health.goal_completion.low == 0.0
    assert health.match_rate is not None and health.match_rate.low == pytest.approx(0.8)
    login(personas.coordinator)
    page = client.get(_url("dashboard", personas.program)).content.decode()
    assert SECRET_TEXT not in page
    assert "80-90 %" in page


def test_query_count_does_not_grow_with_the_program(personas, login, client):
    login(personas.coordinator)
    url = _url("dashboard", personas.program)
    grow(personas.program, 6, tag="a")
    client.get(url)  # the first request after signing in also touches the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(personas.program, 40, tag="b", extra_mentees=9)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


# --- exports -----------------------------------------------------------------------------------


def test_csv_export_is_aggregates_only_and_audited(personas, login, client):
    grow(personas.program, 12)
    login(personas.coordinator)
    response = client.get(_url("export_csv", personas.program))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.splitlines()[0] == "section,figure,value"
    assert "participants,mentee,14" in text
    assert SECRET_TEXT not in text
    for person in (personas.cara, personas.ana):
        assert person.email not in text and person.display_name not in text
    event = AuditEvent.objects.filter(action="report.export").get()
    assert event.extra == {"format": "csv", "k": 5}


def test_pdf_export_is_a_pdf_of_the_same_figures(personas, login, client):
    grow(personas.program, 12)
    login(personas.org_admin)
    response = client.get(_url("export_pdf", personas.program))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pikepdf.open(io.BytesIO(response.content))
    stream = b"".join(page.Contents.read_bytes() for page in pdf.pages)
    assert b"participants  mentee: 14" in stream
    assert b"Smallest group shown: 10 people" in stream
    assert SECRET_TEXT.encode() not in stream
    (event,) = AuditEvent.objects.filter(action="report.export")
    assert event.extra == {"format": "pdf", "k": 10}


@pytest.mark.parametrize("name", ["dashboard", "export_csv", "export_pdf"])
@pytest.mark.parametrize("who", ["cara", "ana", "outsider"])
def test_no_role_outside_oversight_gets_a_dashboard_or_an_export(
    personas, login, client, name, who
):
    login(getattr(personas, who))
    assert client.get(_url(name, personas.program)).status_code == 404
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_auditor_sees_the_dashboard(personas, login, client):
    assert OrgMembership.objects.filter(user=personas.auditor, role="auditor").exists()
    login(personas.auditor)
    assert client.get(_url("dashboard", personas.program)).status_code == 200
