"""What erasing a person removes from matching (privacy/erasure/registry.py): their profiles and
answers, their consents, their places on waitlists, and everything derived from them —
suggestions stored for them or computed from their answers, exclusions naming them, proposed
or past pairs and the explanations of their matches (derived from both people's answers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mentorhaven.matching.models import (
    Answer,
    Exclusion,
    MatchExplanation,
    MatchingConsent,
    MatchPair,
    MatchRun,
    Profile,
    StoredSuggestions,
    WaitlistEntry,
)
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.privacy.erasure.registry import REMOVE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("matching.profile", order=REMOVE)
def remove_matching_data(user: User) -> dict[str, int]:
    Exclusion.objects.filter(created_by=user).update(created_by=None)
    MatchRun.objects.filter(created_by=user).update(created_by=None)
    # Stored suggestions are derived from everyone's answers in a program: the person's own, and
    # every mentee's in the programs they took part in (recomputed at the next visit).
    programs = Profile.objects.filter(user=user).values("program_id")
    suggestions = StoredSuggestions.objects.filter(Q(mentee=user) | Q(program_id__in=programs))
    removed = {
        "suggestions": suggestions.delete()[0],
        "explanations": MatchExplanation.objects.filter(
            Q(mentee=user) | Q(relationship__mentor=user)
        ).delete()[0],
        "pairs": MatchPair.objects.filter(Q(mentee=user) | Q(mentor=user)).delete()[0],
        "exclusions": Exclusion.objects.filter(Q(person=user) | Q(other=user)).delete()[0],
        "consents": MatchingConsent.objects.filter(user=user).delete()[0],
        "answers": Answer.objects.filter(user=user).delete()[0],
        "profiles": Profile.objects.filter(user=user).delete()[0],
        "waitlist": WaitlistEntry.objects.filter(mentee=user).delete()[0],
    }
    suggestions_mark_stale(program=None)  # exclusions naming them, in any program
    return removed
