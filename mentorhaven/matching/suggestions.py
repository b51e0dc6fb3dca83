"""A mentee's suggestions, computed once per change of what they are computed from.

Suggesting mentors reads (decrypts) every mentor's answers and goals and scores them all: in a
program of two thousand people that is hundreds of decryptions and hundreds of read events, far
too much for every visit of the suggestions page. So the result (the chosen mentors and the
reasons, nothing else) is stored, encrypted under the mentee's key (``StoredSuggestions``), with
the stamp of the newest change of its inputs; a visit reuses it while that stamp is still the
newest, and computes afresh otherwise. Computing is still a read of everyone's answers, recorded
as before (``matching.answers_read``, by MentorHaven itself); showing the stored result is the
mentee's read of the suggested mentors (``matching.suggestions_read``), as before.

The stamp (``InputChange``) moves whenever something suggestions depend on changes: profiles,
answers, questions, memberships, relationships, exclusions, consents, restrictions and erased
people. Each service that writes one of them says so itself, in its transaction, by calling
``suggestions_mark_stale`` (no model signals: STYLE.md #7; the flow reads in the service). The
services that do: questionnaire submit, question create/update/delete, exclusion add/remove,
sensitive answers removed, relationship propose/accept/decline/end/pause/resume/end on erasure,
membership grant, consent give/withdraw, restriction start/lift, and the erasure steps that
delete a person's memberships, matching data or consents or shred their key.
``tests/matching/test_stored_suggestions.py`` drives each of them and fails when one forgets.
A write outside a service (the Django admin, a shell) is not seen until the next marked change.
The mark is written at once (readers in the same transaction see it) and again after the commit,
so a stamp a reader sees never predates the data it describes: a reader that saw the newest mark
also sees every change marked before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

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


def suggestions_mark_stale(*, program: Program | int | None) -> None:
    """Something the suggestions of ``program`` (None: of every program, for a change about a
    person such as a consent) are computed from has changed: stored ones are recomputed at the
    next visit. Call it inside the service's transaction."""
    program_id = program.pk if isinstance(program, Program) else program
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
