"""A mentee's suggestions, computed once per change of what they are computed from.

Suggesting mentors reads (decrypts) every mentor's answers and goals and scores them all: in a
program of two thousand people that is hundreds of decryptions and hundreds of read events, far
too much for every visit of the suggestions page. So the result (the chosen mentors and the
reasons, nothing else) is stored, encrypted under the mentee's key (``StoredSuggestions``), with
the stamp of the newest change of its inputs; a visit reuses it while that stamp is still the
newest, and computes afresh otherwise. Computing is still a read of everyone's answers, recorded
as before (``matching.answers_read``, by MentorHaven itself); showing the stored result is the
mentee's read of the suggested mentors (``matching.suggestions_read``), as before.

The stamp (``InputChange``) moves whenever a row suggestions depend on is saved or deleted:
profiles, answers, questions, memberships, relationships, exclusions, consents, restrictions and
shredded keys. That is done by model signals, on purpose and only here: a cache must follow every
write, including cascades and paths added later, and forgetting one would show stale mentors
(STYLE.md #7 keeps business rules, audit and notifications out of signals; this is neither).
The mark is written at once (readers in the same transaction see it) and again after the commit,
so a stamp a reader sees never predates the data it describes: a reader that saw the newest mark
also sees every change marked before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Model, Q
from django.db.models.signals import post_delete, post_save

from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.matching.models import InputChange, StoredSuggestions
from mentorhaven.programs.models import Program


def stamp(program: Program) -> int:
    """The newest change of the program's inputs (or of anybody's): one query."""
    found = InputChange.objects.filter(Q(program=program.pk) | Q(program__isnull=True)).aggregate(
        newest=Max("id")
    )
    return int(found["newest"] or 0)


def _mark(program_id: int | None) -> InputChange:
    return InputChange.objects.create(program=program_id)


def _mark_after_commit(program_id: int | None) -> None:
    newest = _mark(program_id)
    # Only the newest mark counts: the older ones of the same scope go.
    InputChange.objects.filter(program=program_id, id__lt=newest.id).delete()


def mark_changed(program_id: int | None) -> None:
    """Something suggestions of ``program_id`` (None: of every program) depend on changed."""
    _mark(program_id)
    transaction.on_commit(lambda: _mark_after_commit(program_id), robust=True)


def picks(
    *, mentee: Any, program: Program, compute: Callable[[], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The mentee's stored picks when still current, else ``compute()``'s, stored for next time.
    Picks are ``{"mentor": user id, "factors": [...]}``, best first."""
    current = stamp(program)
    stored = StoredSuggestions.objects.filter(program=program, mentee=mentee).first()
    if (
        stored is not None
        and stored.inputs == current
        and not is_unavailable(stored.picks)
        and isinstance(stored.picks, list)
    ):
        return stored.picks
    found = compute()
    try:
        with transaction.atomic():
            if stored is None:
                stored = StoredSuggestions(program=program, mentee=mentee)
            stored.inputs, stored.picks = current, found
            stored.save()
    except (IntegrityError, Erased):
        pass  # another visit stored them first, or the mentee is being erased: shown, not kept
    return found


# --- what suggestions are computed from --------------------------------------------------------


def _by_program(sender, instance, **kwargs) -> None:
    mark_changed(instance.program_id)


def _answer(sender, instance, **kwargs) -> None:
    from mentorhaven.matching.models import Profile

    program_id = (
        Profile.objects.filter(pk=instance.profile_id).values_list("program_id", flat=True).first()
    )
    mark_changed(program_id)


def _by_person(sender, instance, **kwargs) -> None:
    mark_changed(None)


def _key(sender, instance, **kwargs) -> None:
    if instance.shredded_at is not None:
        mark_changed(None)


def connect() -> None:
    """Called once by the app config."""
    from mentorhaven.consent.models import ConsentRecord, Restriction
    from mentorhaven.kernel.models import SubjectKey
    from mentorhaven.matching.models import Answer, Exclusion, Profile, Question
    from mentorhaven.mentoring.models import Relationship
    from mentorhaven.programs.models import Membership

    receivers: list[tuple[type[Model], Callable[..., None]]] = [
        (Profile, _by_program),
        (Question, _by_program),
        (Exclusion, _by_program),
        (Relationship, _by_program),
        (Membership, _by_program),
        (Answer, _answer),
        (ConsentRecord, _by_person),
        (Restriction, _by_person),
        (SubjectKey, _key),
    ]
    for model, receiver in receivers:
        uid = f"matching.suggestions.{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
