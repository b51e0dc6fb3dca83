"""The coordinator's actions and the closing survey in the API: ``POST
/api/v1/relationships/{id}/pause``, ``/resume``, ``/rematch`` and ``/closing-survey`` go through
the same services as the pages, answer in the API's one error shape, and give 404 to whoever
may not see the relationship, whether or not it exists."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.models import ClosingSurvey, Relationship
from mentorhaven.mentoring.services import relationship_end
from mentorhaven.messaging.models import Notification

pytestmark = pytest.mark.django_db

BASE = "/api/v1/relationships"
COMMENT = "Moss-heron 2291: she helped me leave"


def _post(headers, path, body=None):
    return Client().post(path, body or {}, content_type="application/json", headers=headers)


def _status(pair) -> str:
    return Relationship.objects.get(pk=pair.pk).status


def test_the_coordinator_pauses_and_resumes_through_the_api(personas, pair, bearer):
    headers = bearer(personas.coordinator)
    paused = _post(headers, f"{BASE}/{pair.public_id}/pause")
    assert paused.status_code == 200, paused.content
    assert paused.json()["status"] == "paused" and _status(pair) == "paused"
    assert AuditEvent.objects.filter(action="relationship.pause").count() == 1
    kinds = Notification.objects.filter(kind=Notification.Kind.RELATIONSHIP_PAUSED)
    assert {n.user_id for n in kinds} == {personas.ana.pk, personas.cara.pk}
    again = _post(headers, f"{BASE}/{pair.public_id}/pause")
    assert again.status_code == 409 and again.json()["code"] == "not_active"
    assert set(again.json()) == {"message", "code", "extra"}
    resumed = _post(headers, f"{BASE}/{pair.public_id}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    assert _post(headers, f"{BASE}/{pair.public_id}/resume").status_code == 409


def test_participants_and_auditors_are_refused_and_others_see_nothing(personas, pair, bearer):
    for action in ("pause", "resume", "rematch"):
        path = f"{BASE}/{pair.public_id}/{action}"
        for person in (personas.ana, personas.cara, personas.auditor):
            assert _post(bearer(person), path).status_code == 403, (person, action)
        assert _post(bearer(personas.outsider), path).status_code == 404
        missing = _post(bearer(personas.coordinator), f"{BASE}/{uuid.uuid4()}/{action}")
        assert missing.status_code == 404
    assert _status(pair) == "active"


def test_the_coordinator_rematches_through_the_api(personas, pair, bearer):
    headers = bearer(personas.coordinator)
    body = {"mentor": str(personas.ben.public_id), "reason": "not_a_fit", "note": "x"}
    answer = _post(headers, f"{BASE}/{pair.public_id}/rematch", body)
    assert answer.status_code == 201, answer.content
    new = Relationship.objects.get(public_id=answer.json()["id"])
    assert (new.mentee, new.mentor, new.status) == (personas.cara, personas.ben, "proposed")
    assert _status(pair) == Relationship.Status.ENDED_EARLY
    again = _post(headers, f"{BASE}/{pair.public_id}/rematch", body)
    assert again.status_code == 409


def test_rematch_refuses_a_mentor_from_elsewhere_and_a_bad_reason(personas, pair, bearer):
    headers = bearer(personas.coordinator)
    path = f"{BASE}/{pair.public_id}/rematch"
    for mentor in (personas.outsider.public_id, uuid.uuid4(), personas.cara.public_id):
        refused = _post(headers, path, {"mentor": str(mentor), "reason": "not_a_fit"})
        assert refused.status_code == 422 and refused.json()["code"] == "not_a_member"
    bad = _post(headers, path, {"mentor": str(personas.ben.public_id), "reason": "boredom"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_reason"
    assert _post(headers, path, {"reason": "not_a_fit"}).status_code == 422
    assert _status(pair) == "active"


def test_participants_answer_the_closing_survey_once_after_completion(personas, pair, bearer):
    path = f"{BASE}/{pair.public_id}/closing-survey"
    early = _post(bearer(personas.cara), path, {"rating": 5})
    assert early.status_code == 409 and early.json()["code"] == "not_completed"
    relationship_end(actor=personas.ana, relationship=pair, reason="goals_met")
    given = _post(bearer(personas.cara), path, {"rating": 5, "comment": COMMENT})
    assert given.status_code == 201, given.content
    assert given.json()["rating"] == 5 and COMMENT not in given.content.decode()
    survey = ClosingSurvey.objects.get(author=personas.cara)
    assert survey.comment == COMMENT
    assert AuditEvent.objects.filter(action="closing_survey.give").count() == 1
    assert _post(bearer(personas.cara), path, {"rating": 4}).status_code == 409
    assert _post(bearer(personas.ana), path, {"rating": 4}).status_code == 201


def test_closing_survey_is_hidden_from_everyone_but_the_pair(personas, pair, bearer):
    relationship_end(actor=personas.ana, relationship=pair, reason="goals_met")
    path = f"{BASE}/{pair.public_id}/closing-survey"
    for person in (personas.coordinator, personas.auditor, personas.outsider, personas.ben):
        assert _post(bearer(person), path, {"rating": 1}).status_code == 404, person
    assert _post(bearer(personas.cara), f"{BASE}/{uuid.uuid4()}/closing-survey").status_code == 404
    for rating in (0, 6, "five"):
        wrong = _post(bearer(personas.cara), path, {"rating": rating})
        assert wrong.status_code == 422, rating
        assert set(wrong.json()) == {"message", "code", "extra"}
    assert not ClosingSurvey.objects.exists()
