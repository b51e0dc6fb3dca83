"""A program's matching mode is honoured, not just stored: "admin" — the coordinators run
matching and mentees neither browse nor ask mentors; "mentee_request" — mentees ask suggested
mentors and there are no match runs; "both" — either way."""

from __future__ import annotations

import pytest
from django.test import Client

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.kernel.errors import Conflict
from mentorhaven.matching import selectors
from mentorhaven.matching.models import MatchRun
from mentorhaven.matching.services import (
    match_request,
    match_run_create,
    match_run_publish,
    waitlist_join,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs import domain
from mentorhaven.web.checklist import checklist_for
from tests.matching.conftest import fill
from tests.matching.conftest import questionnaire as questionnaire  # the fixture

pytestmark = pytest.mark.django_db

ADMIN_ONLY = "the coordinators propose the matches"
REQUESTS_ONLY = "mentees ask their mentors"


@pytest.fixture
def filled(personas, questionnaire):
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership"], industry="finance", capacity=1)
    fill(p.ben, p.program, "mentor", q, topics=["python"], industry="finance", capacity=1)
    fill(p.cara, p.program, "mentee", q, topics=["leadership"], industry="finance")
    fill(p.dev, p.program, "mentee", q, topics=["python"], industry="finance")
    return p


def _mode(personas, mode: str) -> None:
    personas.program.settings = {**personas.program.settings, "matching_mode": mode}
    personas.program.save(update_fields=["settings"])


def _refused(call) -> None:
    with pytest.raises(Conflict) as caught:
        call()
    assert caught.value.code == "matching_mode"


def _bearer(user) -> dict:
    _token, secret = api_token_create(actor=user, user=user, name="t", scope="write", days=None)
    return {"Authorization": f"Bearer {secret}"}


def test_the_modes_and_their_default():
    assert domain.matching_mode({}) == "both" == domain.matching_mode({"matching_mode": "odd"})
    assert domain.mentees_request({"matching_mode": "mentee_request"})
    assert not domain.coordinators_run_matching({"matching_mode": "mentee_request"})
    assert domain.coordinators_run_matching({"matching_mode": "admin"})
    assert not domain.mentees_request({"matching_mode": "admin"})
    assert domain.mentees_request(None) and domain.coordinators_run_matching(None)


# --- admin: the coordinators match ---------------------------------------------------------------


def test_admin_mode_offers_no_mentor_requests_and_runs_matching(filled, login):
    p = filled
    _mode(p, "admin")
    assert selectors.suggestions_for(viewer=p.cara, program=p.program) == []
    _refused(lambda: match_request(actor=p.cara, program=p.program, mentor=p.ana))
    _refused(lambda: waitlist_join(actor=p.cara, program=p.program))
    assert not Relationship.objects.exists()
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert len(match_run_publish(actor=p.coordinator, run=run)) == 2


def test_admin_mode_pages_hide_suggestions_and_requests(filled, login):
    p = filled
    _mode(p, "admin")
    mentee = login(p.cara)
    hub = mentee.get(f"/matching/programs/{p.program.public_id}/").content.decode()
    assert f"/matching/programs/{p.program.public_id}/suggestions/" not in hub
    assert ADMIN_ONLY in hub
    page = mentee.get(f"/matching/programs/{p.program.public_id}/suggestions/").content.decode()
    assert ADMIN_ONLY in page and "to mentor me" not in page and p.ana.name not in page
    refused = mentee.post(
        f"/matching/programs/{p.program.public_id}/request/", {"mentor": str(p.ana.public_id)}
    )
    assert refused.status_code in (302, 409)
    assert not Relationship.objects.exists()
    api = Client().get(
        f"/api/v1/programs/{p.program.public_id}/suggestions", headers=_bearer(p.cara)
    )
    assert api.status_code == 200 and api.json()["items"] == []
    [step] = [s for s in checklist_for(p.cara) if s.key.startswith("request-")]
    assert not step.url and "coordinator" in str(step.label)


# --- mentee_request: mentees ask ---------------------------------------------------------------


def test_mentee_request_mode_has_no_match_runs(filled):
    p = filled
    _mode(p, "both")
    draft = match_run_create(actor=p.coordinator, program=p.program)
    _mode(p, "mentee_request")
    _refused(lambda: match_run_create(actor=p.coordinator, program=p.program))
    _refused(lambda: match_run_publish(actor=p.coordinator, run=draft))
    assert MatchRun.objects.get(pk=draft.pk).status == MatchRun.Status.DRAFT
    assert selectors.suggestions_for(viewer=p.cara, program=p.program)
    request = match_request(actor=p.cara, program=p.program, mentor=p.ana)
    assert request.source == Relationship.Source.SELF_MATCH


def test_mentee_request_mode_pages_and_api_offer_no_run(filled, login):
    p = filled
    _mode(p, "mentee_request")
    admin = login(p.coordinator)
    runs = admin.get(f"/matching/programs/{p.program.public_id}/runs/").content.decode()
    assert REQUESTS_ONLY in runs and "Run matching" not in runs
    admin.post(f"/matching/programs/{p.program.public_id}/runs/")
    assert not MatchRun.objects.exists()
    api = Client().post(
        f"/api/v1/programs/{p.program.public_id}/match-runs", headers=_bearer(p.coordinator)
    )
    assert api.status_code == 409 and api.json()["code"] == "matching_mode"
    hub = login(p.cara, Client()).get(f"/matching/programs/{p.program.public_id}/")
    assert f"/matching/programs/{p.program.public_id}/suggestions/" in hub.content.decode()


# --- both ----------------------------------------------------------------------------------------


def test_both_mode_offers_requests_and_runs(filled, login):
    p = filled
    _mode(p, "both")
    match_request(actor=p.cara, program=p.program, mentor=p.ana)
    run = match_run_create(actor=p.coordinator, program=p.program)
    created = match_run_publish(actor=p.coordinator, run=run)
    assert [(r.mentee, r.mentor) for r in created] == [(p.dev, p.ben)]
    runs = login(p.coordinator).get(f"/matching/programs/{p.program.public_id}/runs/")
    assert "Run matching" in runs.content.decode()
