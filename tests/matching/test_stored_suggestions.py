"""A mentee's suggestions are computed once per change of what they depend on, stored encrypted
under the mentee's key, and reused until then: every kind of change recomputes them at once.

No signal keeps them fresh: each service that changes an input marks them stale itself
(``suggestions_mark_stale``), so every such service is driven here, and a service that forgot
would leave the old suggestions showing and fail its case."""

from __future__ import annotations

import pytest
from django.db import connection

from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.models import Restriction
from mentorhaven.consent.services import (
    consent_give,
    consent_withdraw,
    restriction_lift,
    restriction_start,
)
from mentorhaven.kernel import vault
from mentorhaven.matching.models import Exclusion, StoredSuggestions
from mentorhaven.matching.selectors import SUGGESTIONS, suggestions_for
from mentorhaven.matching.services import (
    exclusion_add,
    exclusion_remove,
    match_request,
    question_create,
    question_delete,
    question_update,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_decline, relationship_end
from mentorhaven.privacy.erasure.steps import shred_keys
from mentorhaven.programs.erasure import remove_memberships
from mentorhaven.programs.services import membership_grant

from .conftest import events, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(personas, questionnaire):
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership", "career"], industry="finance",
         gender="f", consent=True, capacity=1)  # fmt: skip
    fill(p.ben, p.program, "mentor", q, topics=["python"], industry="finance", capacity=1)
    fill(p.cara, p.program, "mentee", q, topics=["leadership", "career"], industry="finance",
         gender="f", consent=True)  # fmt: skip
    fill(p.dev, p.program, "mentee", q, topics=["leadership"], industry="finance")
    return p


def _shown(found) -> list[tuple[int, list]]:
    return [(s.mentor.pk, s.factors) for s in found]


def _computed(p) -> int:
    """How many times everyone's answers were read to compute suggestions (one read records
    one event per person, all at one moment)."""
    return len({e.occurred_at for e in events("matching.answers_read")})


def test_a_visit_with_nothing_changed_reuses_the_stored_suggestions(filled):
    p = filled
    first = suggestions_for(viewer=p.cara, program=p.program)
    computed = _computed(p)
    read = len(events("matching.suggestions_read"))
    again = suggestions_for(viewer=p.cara, program=p.program)
    assert _shown(again) == _shown(first) and [s.mentor.pk for s in first] == [p.ana.pk, p.ben.pk]
    assert _computed(p) == computed  # nobody's answers decrypted again
    assert len(events("matching.suggestions_read")) > read  # showing them is still a read


def test_stored_suggestions_are_encrypted_under_the_mentees_key(filled):
    p = filled
    found = suggestions_for(viewer=p.cara, program=p.program)
    assert "career change" in found[0].factors[0]["text"]
    stored = StoredSuggestions.objects.get(mentee=p.cara)
    with connection.cursor() as cursor:
        cursor.execute("SELECT picks FROM matching_storedsuggestions WHERE id = %s", [stored.pk])
        (raw,) = cursor.fetchone()
    assert b"career" not in bytes(raw) and b"mentor" not in bytes(raw)
    vault.shred(p.cara)
    stored = StoredSuggestions.objects.get(mentee=p.cara)
    assert "career" not in str(stored.picks)  # gone with her key


def _pause(p, q):
    fill(p.ana, p.program, "mentor", q, topics=["leadership", "career"], paused=True)


def _answer(p, q):
    fill(p.ana, p.program, "mentor", q, topics=["python"], industry="health", capacity=1)


def _exclude(p, q):
    exclusion_add(actor=p.cara, program=p.program, person=p.cara, other=p.ana,
                  kind=Exclusion.Kind.NOT_THIS_PERSON)  # fmt: skip


def _seat_taken(p, q):
    match_request(actor=p.dev, program=p.program, mentor=p.ana)


def _left_program(p, q):
    remove_memberships(p.ana)  # the erasure step: the one path that takes a membership away


def _withdrawn(p, q):
    consent_withdraw(actor=p.ana, purpose=Purpose.MATCHING_SENSITIVE, method=Method.PRIVACY_PAGE)


def _restricted(p, q):
    restriction_start(actor=p.ana)


def _new_question(p, q):
    question_create(actor=p.coordinator, program=p.program, kind="single", prompt="Remote?",
                    options=["yes", "no"])  # fmt: skip


def _key_shredded(p, q):
    shred_keys(p.ana)  # the erasure step that shreds a person's key


def _prepared(prepare):
    """A change that needs ``prepare`` done before the suggestions are first stored."""

    def wrap(change):
        change.prepare = prepare
        return change

    return wrap


def _mentee_answers(p, q):
    fill(p.cara, p.program, "mentee", q, topics=["python"], industry="finance")


def _consent_given(p, q):
    consent_give(actor=p.ben, purpose=Purpose.MATCHING_SENSITIVE, method=Method.PRIVACY_PAGE)


def _question_changed(p, q):
    question_update(actor=p.coordinator, question=q["industry"], weight=4.0)


def _question_deleted(p, q):
    question_delete(actor=p.coordinator, question=q["topics"])


def _joined(p, q):
    membership_grant(actor=p.coordinator, program=p.program, user=p.outsider, role="mentor")


def _request_dev(p, q):
    match_request(actor=p.dev, program=p.program, mentor=p.ana)


def _open_request(p) -> Relationship:
    return Relationship.objects.get(program=p.program, mentee=p.dev, mentor=p.ana)


@_prepared(_request_dev)
def _request_declined(p, q):
    relationship_decline(actor=p.ana, relationship=_open_request(p))


@_prepared(_request_dev)
def _request_withdrawn(p, q):
    relationship_end(actor=p.dev, relationship=_open_request(p), reason="other")


@_prepared(_exclude)
def _exclusion_removed(p, q):
    exclusion_remove(actor=p.cara, exclusion=Exclusion.objects.get(person=p.cara))


@_prepared(_restricted)
def _restriction_lifted(p, q):
    restriction_lift(actor=p.ana, restriction=Restriction.objects.get(user=p.ana))


CHANGES = [_pause, _answer, _mentee_answers, _exclude, _exclusion_removed, _seat_taken,
           _request_declined, _request_withdrawn, _left_program, _joined, _withdrawn,
           _consent_given, _restricted, _restriction_lifted, _new_question, _question_changed,
           _question_deleted, _key_shredded]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__.strip("_"))
def test_every_change_of_the_inputs_recomputes_them_at_once(filled, questionnaire, change):
    p = filled
    if hasattr(change, "prepare"):
        change.prepare(p, questionnaire)
    suggestions_for(viewer=p.cara, program=p.program)
    change(p, questionnaire)
    computed = _computed(p)  # (a change may read answers itself: a request scores its pair)
    found = suggestions_for(viewer=p.cara, program=p.program)
    assert _computed(p) == computed + 1
    # The same as computing afresh (another limit is never stored).
    fresh = suggestions_for(viewer=p.cara, program=p.program, limit=SUGGESTIONS + 1)
    assert _shown(found) == _shown(fresh)
    # And stored again: the next visit reuses them.
    computed = _computed(p)
    suggestions_for(viewer=p.cara, program=p.program)
    assert _computed(p) == computed
