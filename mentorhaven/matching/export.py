"""What a data export holds from the matching app (privacy/export/registry.py).

Match scores are left out, as everywhere a participant looks: the reasons in words are what a
participant is shown (the scores serve the admins' review of a run). See docs/privacy.md.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorhaven.matching.models import (
    Answer,
    Exclusion,
    MatchExplanation,
    MatchPair,
    MatchRun,
    Profile,
    StoredSuggestions,
    WaitlistEntry,
    factor_list,
)
from mentorhaven.privacy.export.registry import Section, exclude, register


def profile_rows(context):
    profiles = Profile.objects.filter(user=context.user).select_related("program")
    for profile in profiles.order_by("pk").iterator():
        yield {
            "program": profile.program.name,
            "role": profile.role,
            "headline": profile.headline,
            "goals": profile.goals,
            "capacity": profile.capacity,
            "paused": profile.paused,
            "updated": profile.updated_at,
        }


def answer_rows(context):
    answers = Answer.objects.filter(user=context.user).select_related(
        "question", "profile__program"
    )
    for answer in answers.order_by("pk").iterator():
        yield {
            "program": answer.profile.program.name,
            "question": answer.question.prompt,
            "sensitive": answer.question.sensitive,
            "answer": answer.value,
            "updated": answer.updated_at,
        }


def matching_rows(context):
    user = context.user
    exclusions = Exclusion.objects.filter(person=user).select_related("program")
    for exclusion in exclusions.order_by("created_at"):
        yield {
            "record": "not_to_be_matched_with",
            "program": exclusion.program.name,
            "person": context.name_of(exclusion.other_id),
            "why": exclusion.kind,
            "when": exclusion.created_at,
            "reasons": None,
        }
    explanations = MatchExplanation.objects.filter(mentee=user).select_related(
        "relationship__program"
    )
    for explanation in explanations.order_by("created_at"):
        yield {
            "record": "why_you_were_matched",
            "program": explanation.relationship.program.name,
            "person": context.name_of(explanation.relationship.mentor_id),
            "why": "",
            "when": explanation.created_at,
            "reasons": explanation.factor_list,
        }
    pairs = MatchPair.objects.filter(Q(mentee=user) | Q(mentor=user)).select_related("run__program")
    for pair in pairs.order_by("pk").iterator():
        mine = pair.mentee_id == user.pk
        yield {
            "record": "proposed_pair",
            "program": pair.run.program.name,
            "person": context.name_of(pair.mentor_id if mine else pair.mentee_id),
            "why": pair.origin,
            "when": pair.run.created_at,
            # The reasons are derived from the mentee's answers: theirs to see, not the mentor's.
            "reasons": pair.factor_list if mine else None,
        }
    for entry in WaitlistEntry.objects.filter(mentee=user).select_related("program"):
        yield {
            "record": "waiting_for_a_free_mentor",
            "program": entry.program.name,
            "person": "",
            "why": "",
            "when": entry.created_at,
            "reasons": None,
        }
    for stored in StoredSuggestions.objects.filter(mentee=user).select_related("program"):
        picks = stored.picks if isinstance(stored.picks, list) else []
        for pick in picks:
            yield {
                "record": "mentor_suggested_to_you",
                "program": stored.program.name,
                "person": context.name_of(pick["mentor"]),
                "why": "",
                "when": stored.computed_at,
                "reasons": factor_list(pick["factors"]),
            }
    for run in MatchRun.objects.filter(created_by=user).select_related("program"):
        yield {
            "record": "matching_run_you_started",
            "program": run.program.name,
            "person": "",
            "why": run.status,
            "when": run.created_at,
            "reasons": None,
        }


register(
    Section(
        key="matching_profiles",
        title=_("Your program profiles"),
        models=("matching.Profile",),
        rows=profile_rows,
        source=_("Written by you"),
        order=30,
    )
)
register(
    Section(
        key="answers",
        title=_("Your questionnaire answers"),
        models=("matching.Answer",),
        rows=answer_rows,
        source=_("Written by you"),
        order=31,
    )
)
exclude(
    "matching.MatchingConsent",
    "no longer written: its rows moved into consent records (consent migration 0003), which "
    "the consents section of the export holds",
)
register(
    Section(
        key="matching",
        title=_("Matching: proposals, explanations, exclusions and waitlists"),
        models=(
            "matching.Exclusion",
            "matching.MatchExplanation",
            "matching.MatchPair",
            "matching.MatchRun",
            "matching.StoredSuggestions",
            "matching.WaitlistEntry",
        ),
        rows=matching_rows,
        source=_("Derived by MentorHaven from questionnaire answers, or entered by admins"),
        order=33,
    )
)
