"""Ending a relationship with a reason and an optional note: the service, the page with its
confirmation step, and ``POST /api/v1/relationships/{id}/end``."""

from __future__ import annotations

import pytest
from django.db import connection

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_end
from mentorhaven.messaging.models import Notification
from mentorhaven.programs.models import Membership, OrgMembership, Program

from .conftest import last_event

pytestmark = pytest.mark.django_db

NOTE = "He kept pressing me to meet at his flat"
BASE = "/api/v1/relationships"


@pytest.fixture
def other_coordinator(personas) -> User:
    """The program admin of another program of the same organization."""
    program = Program.objects.create(
        organization=personas.org, name="Other 2026", slug="other-demo-2026"
    )
    user = User.objects.create_user(
        email="coord2@demo.test", password="x" * 20, display_name="Cody Other"
    )
    OrgMembership.objects.create(organization=personas.org, user=user)
    Membership.objects.create(program=program, user=user, role=Membership.Role.PROGRAM_ADMIN)
    mfa_enroll_totp(user=user)  # the role requires a second factor
    return user


def _post(client, path, headers, body):
    return client.post(path, body, content_type="application/json", headers=headers)


# --- the service ---------------------------------------------------------------------------------


def test_end_note_is_ciphertext_at_rest_and_never_in_the_audit_log(personas, pair):
    relationship_end(actor=personas.cara, relationship=pair, reason="safety", note=NOTE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT end_note FROM mentoring_relationship WHERE id = %s", [pair.pk])
        stored = bytes(cursor.fetchone()[0])
    assert NOTE.encode() not in stored
    assert b"pressing" not in stored
    event = last_event("relationship.end")
    assert event.extra == {"reason": "safety", "note": True}
    assert Relationship.objects.get(pk=pair.pk).end_note == NOTE


def test_goals_met_completes_a_started_relationship(personas, pair):
    ended = relationship_end(actor=personas.ana, relationship=pair, reason="goals_met")
    assert ended.status == Relationship.Status.COMPLETED
    assert last_event("relationship.complete").extra == {"reason": "goals_met"}


def test_other_reasons_end_it_early_and_tell_the_other_person(personas, pair):
    ended = relationship_end(actor=personas.ana, relationship=pair, reason="not_a_fit")
    assert ended.status == Relationship.Status.ENDED_EARLY
    assert ended.ended_by == personas.ana
    told = Notification.objects.filter(kind=Notification.Kind.RELATIONSHIP_ENDED)
    assert set(told.values_list("user_id", flat=True)) == {personas.cara.pk}


def test_coordinator_ends_and_both_are_told(personas, pair):
    relationship_end(actor=personas.coordinator, relationship=pair, reason="left_program")
    told = Notification.objects.filter(kind=Notification.Kind.RELATIONSHIP_ENDED)
    assert set(told.values_list("user_id", flat=True)) == {personas.cara.pk, personas.ana.pk}


def test_coordinator_of_another_program_may_not_end(personas, pair, other_coordinator):
    with pytest.raises(PermissionDenied):
        relationship_end(actor=other_coordinator, relationship=pair, reason="not_a_fit")


def test_ending_twice_is_a_conflict_and_a_long_note_is_refused(personas, pair):
    with pytest.raises(ValidationFailed):
        relationship_end(actor=personas.cara, relationship=pair, reason="safety", note="x" * 2001)
    relationship_end(actor=personas.cara, relationship=pair, reason="not_a_fit")
    with pytest.raises(Conflict):
        relationship_end(actor=personas.cara, relationship=pair, reason="not_a_fit")


# --- the API -------------------------------------------------------------------------------------


def test_api_participant_ends_with_reason_and_note(client, personas, pair, bearer):
    response = _post(
        client,
        f"{BASE}/{pair.public_id}/end",
        bearer(personas.cara),
        {"reason": "not_a_fit", "note": NOTE},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "id": str(pair.public_id),
        "status": "ended_early",
        "end_reason": "not_a_fit",
        "ended_at": body["ended_at"],
    }
    assert NOTE not in response.content.decode()
    assert Relationship.objects.get(pk=pair.pk).end_note == NOTE


@pytest.mark.parametrize("reason", ["because", "idle", "", "GOALS_MET"])
def test_api_bad_reason_is_a_clear_400(client, personas, pair, bearer, reason):
    response = _post(
        client, f"{BASE}/{pair.public_id}/end", bearer(personas.cara), {"reason": reason}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_reason"
    assert "goals_met" in body["message"]
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE


def test_api_missing_reason_or_bad_json_is_refused_without_a_500(client, personas, pair, bearer):
    headers = bearer(personas.cara)
    assert _post(client, f"{BASE}/{pair.public_id}/end", headers, {}).status_code == 422
    response = client.post(
        f"{BASE}/{pair.public_id}/end",
        "{not json",
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 422
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE


def test_api_coordinator_of_another_program_and_strangers_get_the_same_404(
    client, personas, pair, bearer, other_coordinator
):
    missing = "00000000-0000-4000-8000-000000000000"
    for viewer in (other_coordinator, personas.ben, personas.dev, personas.outsider):
        for target in (pair.public_id, missing):
            response = _post(
                client, f"{BASE}/{target}/end", bearer(viewer), {"reason": "not_a_fit"}
            )
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE


def test_api_coordinator_ends_and_a_second_end_is_409(client, personas, pair, bearer):
    headers = bearer(personas.coordinator)
    path = f"{BASE}/{pair.public_id}/end"
    assert _post(client, path, headers, {"reason": "left_program"}).status_code == 200
    again = _post(client, path, headers, {"reason": "left_program"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_ended"


def test_api_auditor_sees_the_relationship_but_may_not_end_it(client, personas, pair, bearer):
    response = _post(
        client, f"{BASE}/{pair.public_id}/end", bearer(personas.auditor), {"reason": "safety"}
    )
    assert response.status_code == 403


# --- the page ------------------------------------------------------------------------------------


def test_page_asks_for_confirmation_then_ends(client, login, personas, pair):
    login(personas.cara)
    url = f"/relationships/{pair.public_id}/end/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Ending cannot be undone" in page.content.decode()
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE
    response = client.post(url, {"reason": "goals_met", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/relationships/{pair.public_id}/"
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.COMPLETED


def test_page_without_a_reason_shows_the_form_again(client, login, personas, pair):
    login(personas.cara)
    response = client.post(f"/relationships/{pair.public_id}/end/", {"reason": "because"})
    assert response.status_code == 200
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE


def test_page_coordinator_ends_from_the_overview(client, login, personas, pair):
    login(personas.coordinator)
    overview = client.get(f"/relationships/program/{personas.program.public_id}/").content
    assert f"/relationships/{pair.public_id}/end/".encode() in overview
    response = client.post(f"/relationships/{pair.public_id}/end/", {"reason": "left_program"})
    assert response["Location"] == f"/relationships/program/{personas.program.public_id}/"
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ENDED_EARLY


def test_page_coordinator_of_another_program_gets_404(client, personas, pair, other_coordinator):
    client.force_login(other_coordinator)
    url = f"/relationships/{pair.public_id}/end/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "not_a_fit"}).status_code == 404
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE
