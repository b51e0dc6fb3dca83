"""The gates every access helper consults, and who may act on a break-glass grant.

**Training gate.** A mentor reaches nothing a mentee wrote (goals, notes, meetings, messages,
files) until they have passed the security training within the last year. The rule is written
once, here, as a query expression: ``mentoring.access.content_relationships`` and
``messaging.access.readable_relationships`` (which every goal, note, meeting, file and message
helper is built on) add it to their mentor branch, so no view can forget it.

**Agreement gate.** A participant of a program whose confidentiality agreement they have not
accepted (in its current version) reaches nothing but the agreement itself and their account:
``middleware.AgreementRequiredMiddleware`` redirects pages, the API answers 403
``agreement_required``. ``pending_agreement`` decides, in one query.

**Break-glass.** ``access_grant_for_reading`` opens a grant only to the admin who asked for it,
only once a second admin approved it, only until it expires or is revoked.

This module imports no domain app but programs, so the helpers of mentoring and messaging may
import it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from mentorhaven.gates import domain
from mentorhaven.gates.models import (
    AgreementAcceptance,
    AgreementVersion,
    BreakGlassGrant,
    TrainingCompletion,
)
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.kernel.errors import NotFound
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership, OrgMembership, Program


def current_training(user: Any) -> QuerySet[TrainingCompletion]:
    """The user's completions that still count (passed within the last year)."""
    return TrainingCompletion.objects.filter(
        user=user, passed_at__gte=domain.training_valid_since(timezone.now())
    )


def mentor_trained_q(viewer: Any) -> Q:
    """A condition for a relationship queryset's mentor branch: the viewer's training is
    current. Evaluated inside the same query (an EXISTS), so it costs no round trip."""
    return Q(Exists(current_training(viewer)))


def mentor_is_trained(viewer: Any) -> bool:
    return is_person(viewer) and current_training(viewer).exists()


def pending_agreement(user: Any) -> UUID | None:
    """The public id of a current agreement version of one of the user's programs that they
    have not accepted, or None. One query, decided afresh on every request (every page and API
    call asks): it starts from the user's own memberships, so its cost does not grow with the
    size of their programs, and reads the one column the gates need."""
    if not is_person(user):
        return None
    accepted = AgreementAcceptance.objects.filter(user=user, version=OuterRef("pk"))
    return (
        AgreementVersion.objects.filter(
            superseded_at__isnull=True,
            program_id__in=Membership.objects.filter(user=user).values("program_id"),
        )
        .exclude(Exists(accepted))
        .order_by("program_id")
        .values_list("public_id", flat=True)
        .first()
    )


def access_agreement_to_accept(viewer: Any, public_id: Any) -> AgreementVersion:
    """A current agreement version of a program the viewer takes part in, else NotFound."""
    if not is_person(viewer):
        raise NotFound()
    return fetch(
        AgreementVersion.objects.filter(
            superseded_at__isnull=True,
            program_id__in=Membership.objects.filter(user=viewer).values("program_id"),
        ).select_related("program"),
        public_id,
    )


# --- break-glass ---------------------------------------------------------------------------------


def admin_organizations(viewer: Any) -> QuerySet:
    """Organizations whose admins may ask for or approve break-glass access."""
    if not is_person(viewer):
        return OrgMembership.objects.none().values("organization_id")
    return OrgMembership.objects.filter(user=viewer, role=OrgMembership.Role.ORG_ADMIN).values(
        "organization_id"
    )


def visible_grants(viewer: Any) -> QuerySet[BreakGlassGrant]:
    """Grants of the organizations the viewer administers (requests, decisions, metadata)."""
    return BreakGlassGrant.objects.filter(organization_id__in=admin_organizations(viewer))


def access_grant(viewer: Any, public_id: Any, *, write: bool = False) -> BreakGlassGrant:
    """A grant of an organization the viewer administers, else NotFound. Deciding and revoking
    are further limited by the services (not one's own request)."""
    return fetch(
        visible_grants(viewer).select_related("subject", "relationship", "organization"),
        public_id,
    )


def access_grant_for_reading(viewer: Any, public_id: Any) -> BreakGlassGrant:
    """A grant the viewer may read under right now: they asked for it, a second admin approved
    it, it has not expired nor been revoked, and they still administer its organization.
    Anything else — pending, rejected, revoked, expired, another admin's grant — is NotFound."""
    if not is_person(viewer):
        raise NotFound()
    return fetch(
        visible_grants(viewer)
        .filter(
            requested_by=viewer,
            status=BreakGlassGrant.Status.APPROVED,
            expires_at__gt=timezone.now(),
        )
        .exclude(approved_by=viewer)
        .select_related("subject", "relationship__program", "organization"),
        public_id,
    )


# Whose writing break-glass opens: the people mentoring content is about.
SUBJECT_ROLES = (Membership.Role.MENTOR, Membership.Role.MENTEE)


def breakglass_programs(viewer: Any, organization_id: int) -> QuerySet[Program]:
    """The programs of the organization that ``viewer`` runs: a request may reach no further."""
    return administered_programs(viewer).filter(organization_id=organization_id)


def breakglass_subjects(viewer: Any, organization_id: int) -> QuerySet:
    """Whom a break-glass request by ``viewer`` may be about: the mentors and mentees of the
    programs the viewer runs in that organization — not its staff, not everyone who belongs to
    it. One query however many people the programs hold (the request form narrows it further
    by a search, ``selectors.breakglass_choices``)."""
    in_programs = Membership.objects.filter(
        program__in=breakglass_programs(viewer, organization_id), role__in=SUBJECT_ROLES
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=in_programs, is_active=True)
