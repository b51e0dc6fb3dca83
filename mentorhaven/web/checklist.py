"""Guided onboarding: the dashboard's checklist of a mentee's or a mentor's next steps.

The steps, in the order a person meets them: answer the questionnaire of each program that
asks one, add a second factor (mentors), accept the confidentiality agreement of a proposed
match, ask a mentor (mentees), and plan a first meeting. Each is read from the facts (a profile
exists, an authenticator exists, an acceptance is recorded, a meeting exists), never stored, so
it can't drift. The first step not done is "next". A fixed number of queries whatever the number
of programs and relationships (tests/web/test_checklist.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mentorhaven.accounts.models import User
from mentorhaven.accounts.selectors import user_has_mfa
from mentorhaven.matching.models import Profile, Question
from mentorhaven.mentoring.models import Meeting, Relationship
from mentorhaven.programs.domain import mentees_request
from mentorhaven.programs.models import Membership

MENTEE, MENTOR = Membership.Role.MENTEE, Membership.Role.MENTOR
OPEN = (Relationship.Status.PROPOSED, Relationship.Status.ACTIVE)

WHY_SECOND_FACTOR = _(
    "Mentees confide in their mentors. A second factor (an authenticator app or a passkey) keeps "
    "what they tell you safe even if your password is guessed or leaked."
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    done: bool
    url: str = ""  # where to do it; empty while it cannot be done yet
    why: str | Promise = ""
    next: bool = False


def _with_next(steps: list[Step]) -> list[Step]:
    out, marked = [], False
    for step in steps:
        is_next = not marked and not step.done and bool(step.url)
        marked = marked or is_next
        out.append(Step(**{**step.__dict__, "next": is_next}))
    return out


def checklist_for(viewer: User) -> list[Step]:
    """The viewer's onboarding steps as a mentee or mentor (empty for anyone else)."""
    memberships = list(
        Membership.objects.filter(user=viewer, role__in=[MENTEE, MENTOR]).select_related("program")
    )
    if not memberships:
        return []
    program_ids = {m.program_id for m in memberships}
    answered = set(
        Profile.objects.filter(user=viewer, program_id__in=program_ids).values_list(
            "program_id", "role"
        )
    )
    asking = set(
        Question.objects.filter(program_id__in=program_ids).values_list("program_id", "audience")
    )
    relationships = list(
        Relationship.objects.filter(Q(mentee=viewer) | Q(mentor=viewer)).only(
            "public_id",
            "program_id",
            "status",
            "mentee_id",
            "mentor_id",
            "mentee_accepted_at",
            "mentor_accepted_at",
        )
    )
    steps: list[Step] = []
    for m in memberships:
        if (m.program_id, "both") in asking or (m.program_id, m.role) in asking:
            steps.append(
                Step(
                    f"questionnaire-{m.program_id}-{m.role}",
                    _("Answer the matching questionnaire of %(program)s")
                    % {"program": m.program.name},
                    (m.program_id, m.role) in answered,
                    reverse(
                        "matching_questionnaire",
                        kwargs={"program_id": m.program.public_id, "role": m.role},
                    ),
                )
            )
    if any(m.role == MENTOR for m in memberships):
        steps.append(
            Step(
                "second-factor",
                _("Add a second factor to your account"),
                user_has_mfa(viewer),
                reverse("account_security"),
                why=WHY_SECOND_FACTOR,
            )
        )
    awaiting = [
        r
        for r in relationships
        if r.status == Relationship.Status.PROPOSED
        and (
            (r.mentee_id == viewer.pk and r.mentee_accepted_at is None)
            or (r.mentor_id == viewer.pk and r.mentor_accepted_at is None)
        )
    ]
    if awaiting or relationships:
        steps.append(
            Step(
                "agreement",
                _("Accept the confidentiality agreement of your match"),
                not awaiting,
                reverse("relationship_detail", kwargs={"relationship_id": awaiting[0].public_id})
                if awaiting
                else "",
            )
        )
    for m in memberships:
        if m.role == MENTEE:
            asked = any(
                r.program_id == m.program_id and r.mentee_id == viewer.pk for r in relationships
            )
            if not mentees_request(m.program.settings):  # the coordinators match: nothing to do
                steps.append(
                    Step(
                        f"request-{m.program_id}",
                        _("Wait for your coordinator's match in %(program)s")
                        % {"program": m.program.name},
                        asked,
                    )
                )
                continue
            steps.append(
                Step(
                    f"request-{m.program_id}",
                    _("Ask a mentor in %(program)s, or wait for your coordinator's match")
                    % {"program": m.program.name},
                    asked,
                    reverse("matching_suggestions", kwargs={"program_id": m.program.public_id}),
                )
            )
    active = [r for r in relationships if r.status == Relationship.Status.ACTIVE]
    met = (
        set(
            Meeting.objects.filter(relationship__in=active)
            .exclude(status__in=[Meeting.Status.DECLINED, Meeting.Status.CANCELLED])
            .values_list("relationship_id", flat=True)
        )
        if active
        else set()
    )
    first = next((r for r in active if r.pk not in met), None)
    steps.append(
        Step(
            "first-meeting",
            _("Plan a first meeting"),
            bool(active) and first is None,
            reverse("relationship_detail", kwargs={"relationship_id": first.public_id})
            if first
            else "",
        )
    )
    return _with_next(steps)
