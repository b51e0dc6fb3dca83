"""Reads about organizations, programs and invitations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.programs.access import OVERSIGHT_ORG_ROLES, visible_programs
from mentorhaven.programs.models import (
    Invitation,
    Membership,
    Organization,
    OrgMembership,
    Program,
)

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

INVITATION_SESSION_KEY = "mentorhaven.invitation"

# Program admins may bring in participants of their own program, nothing more.
PROGRAM_ADMIN_INVITABLE_ROLES = (Membership.Role.MENTEE, Membership.Role.MENTOR)


# --- invitations: tokens ---------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    """Only this digest is stored; the token itself lives in the e-mailed link alone."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The usable invitation behind ``token``; ``None`` for unknown, used, revoked or expired.

    The caller shows one page for every ``None``: the visitor learns nothing about why.
    """
    if not token or len(token) > 128:
        return None
    invitation = (
        Invitation.objects.select_related("organization", "program")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    return invitation if invitation and invitation.is_usable else None


def invitation_from_session(request) -> Invitation | None:
    """The still-usable invitation the visitor arrived with, if any."""
    invitation_id = request.session.get(INVITATION_SESSION_KEY)
    if not invitation_id:
        return None
    invitation = (
        Invitation.objects.select_related("organization", "program")
        .filter(public_id=invitation_id)
        .first()
    )
    return invitation if invitation and invitation.is_usable else None


# --- invitations: who may invite ---------------------------------------------------------------


@dataclass
class InviteScope:
    """What one viewer may invite in one organization."""

    organization: Organization
    is_org_admin: bool
    administered_programs: dict[int, Program] = field(default_factory=dict)

    def programs(self) -> list[Program]:
        if self.is_org_admin:
            return list(self.organization.programs.order_by("name"))
        return sorted(self.administered_programs.values(), key=lambda p: p.name)

    def check(self, *, program: Program | None, program_role: str, org_role: str) -> None:
        """Raise NotFound/PermissionDenied unless this invitation is within the viewer's rights."""
        if program is not None and program.organization_id != self.organization.pk:
            raise NotFound()
        if self.is_org_admin:
            return
        if program is None or program.pk not in self.administered_programs:
            raise PermissionDenied(
                _("Only an organization admin can invite to the organization or another program.")
            )
        if program_role not in PROGRAM_ADMIN_INVITABLE_ROLES:
            raise PermissionDenied(_("Program admins can invite mentees and mentors only."))
        if org_role != OrgMembership.Role.MEMBER:
            raise PermissionDenied(_("Only an organization admin can grant organization roles."))


def invite_scope(viewer: User, organization: Organization) -> InviteScope | None:
    if viewer is None or not viewer.is_authenticated:
        return None
    is_org_admin = OrgMembership.objects.filter(
        organization=organization, user=viewer, role=OrgMembership.Role.ORG_ADMIN
    ).exists()
    administered = {
        m.program.pk: m.program
        for m in Membership.objects.filter(
            user=viewer,
            role=Membership.Role.PROGRAM_ADMIN,
            program__organization=organization,
        ).select_related("program__organization")
    }
    if not is_org_admin and not administered:
        return None
    return InviteScope(organization, is_org_admin, administered)


def inviting_organizations(viewer: User) -> QuerySet[Organization]:
    """Organizations the viewer may invite people to: as their org admin, or as the admin of
    one of their programs."""
    if not is_person(viewer):
        return Organization.objects.none()
    # Two EXISTS probes on the viewer's own rows (found by the user index), not joins over
    # every member and every program membership: joined, an organization of 2,000 participants
    # multiplied its members by its program memberships before DISTINCT folded them back.
    runs_it = OrgMembership.objects.filter(
        organization=OuterRef("pk"), user=viewer, role=OrgMembership.Role.ORG_ADMIN
    )
    runs_a_program = Membership.objects.filter(
        program__organization=OuterRef("pk"), user=viewer, role=Membership.Role.PROGRAM_ADMIN
    )
    return Organization.objects.filter(Exists(runs_it) | Exists(runs_a_program))


def access_invite_scope(viewer: User, organization_public_id) -> InviteScope:
    """The viewer's inviting rights in an organization, or NotFound — also for an organization
    the viewer does not run, found by the same single query as an unknown id."""
    organization = fetch(inviting_organizations(viewer), organization_public_id)
    scope = invite_scope(viewer, organization)
    if scope is None:
        raise NotFound()
    return scope


def invite_scopes_for(viewer: User) -> list[InviteScope]:
    """Every organization in which the viewer may invite someone (for navigation)."""
    org_ids = set(
        OrgMembership.objects.filter(user=viewer, role=OrgMembership.Role.ORG_ADMIN).values_list(
            "organization_id", flat=True
        )
    ) | set(
        Membership.objects.filter(user=viewer, role=Membership.Role.PROGRAM_ADMIN).values_list(
            "program__organization_id", flat=True
        )
    )
    scopes = [invite_scope(viewer, org) for org in Organization.objects.filter(pk__in=org_ids)]
    return [s for s in scopes if s is not None]


def _manageable(scope: InviteScope) -> QuerySet[Invitation]:
    qs = Invitation.objects.filter(organization=scope.organization)
    if not scope.is_org_admin:
        qs = qs.filter(
            program_id__in=list(scope.administered_programs),
            program_role__in=PROGRAM_ADMIN_INVITABLE_ROLES,
            org_role=OrgMembership.Role.MEMBER,
        )
    return qs


def manageable_invitations(viewer: User) -> QuerySet[Invitation]:
    """Invitations the viewer may see and revoke: every invitation of an organization they
    administer, and the mentee and mentor invitations of the programs they run (the same rule
    as ``_manageable``, for all organizations at once)."""
    if not is_person(viewer):
        return Invitation.objects.none()
    admin_orgs = OrgMembership.objects.filter(
        user=viewer, role=OrgMembership.Role.ORG_ADMIN
    ).values("organization_id")
    run_programs = Membership.objects.filter(
        user=viewer, role=Membership.Role.PROGRAM_ADMIN
    ).values("program_id")
    return Invitation.objects.filter(
        Q(organization_id__in=admin_orgs)
        | Q(
            program_id__in=run_programs,
            program_role__in=PROGRAM_ADMIN_INVITABLE_ROLES,
            org_role=OrgMembership.Role.MEMBER,
        )
    )


def access_invitation(viewer: User, public_id, *, write: bool = False) -> Invitation:
    """An invitation the viewer manages, or NotFound — one query, the same for a missing id,
    another organization's invitation and one of their own organization they do not manage.

    Whoever may see an invitation may also revoke it, so ``write`` asks nothing more.
    """
    return fetch(
        manageable_invitations(viewer).select_related("organization", "program"), public_id
    )


def invitations_pending_for(*, viewer: User, scope: InviteScope) -> QuerySet[Invitation]:
    """Invitations still waiting for an answer, limited to what the viewer manages."""
    now = timezone.now()
    return (
        _manageable(scope)
        .filter(Q(accepted_at__isnull=True) & Q(revoked_at__isnull=True) & Q(expires_at__gt=now))
        .select_related("program", "organization")
        .order_by("-created_at", "-pk")
    )


# --- programs and memberships (API and pages) ----------------------------------------------------


def programs_for(*, viewer: User) -> QuerySet[Program]:
    """Programs the viewer may see (``access.visible_programs``), with their organization."""
    return visible_programs(viewer).select_related("organization").order_by("name", "pk")


def program_memberships_for(*, viewer: User, program: Program) -> QuerySet[Membership]:
    """The member list of ``program`` as the viewer may see it; ``program`` is already accessed.

    Program admins of the program and the organization's admins, auditors and security officers
    see every membership with its role: running, auditing and protecting the program needs it.
    Mentors and mentees see only the program's admins (whom to contact) and their own
    memberships: who else takes part, and in which role, is not theirs to browse; the people
    they work with reach them through their mentoring relationships instead.
    """
    memberships = Membership.objects.filter(program=program).select_related("user")
    oversees = (
        Membership.objects.filter(
            program=program, user=viewer, role=Membership.Role.PROGRAM_ADMIN
        ).exists()
        or OrgMembership.objects.filter(
            organization_id=program.organization_id,
            user=viewer,
            role__in=OVERSIGHT_ORG_ROLES,
        ).exists()
    )
    if not oversees:
        memberships = memberships.filter(Q(role=Membership.Role.PROGRAM_ADMIN) | Q(user=viewer))
    return memberships.order_by("role", "user__display_name", "pk")


def record_member_list_read(
    *, viewer: User, program: Program, memberships: list[Membership]
) -> None:
    """One page of a program's member list seen: one read on the record, naming the people on
    it (the viewer's own line aside)."""
    audit.record_access(
        viewer=viewer,
        subjects=sorted({m.user_id for m in memberships}),
        action="program.members_read",
        category="program",
        target=program,
        purpose="See who takes part in a program",
        organization=program.organization_id,
    )


def roles_of(*, viewer: User) -> tuple[list[OrgMembership], list[Membership]]:
    """The viewer's own organization and program roles, for "who am I" answers."""
    org_roles = list(
        OrgMembership.objects.filter(user=viewer)
        .select_related("organization")
        .order_by("organization__name", "role")
    )
    program_roles = list(
        Membership.objects.filter(user=viewer)
        .select_related("program__organization")
        .order_by("program__name", "role")
    )
    return org_roles, program_roles


def organization_ids_of(user_id: int) -> list[int]:
    """The organizations a person belongs to (for the kernel's directory)."""
    return list(
        OrgMembership.objects.filter(user_id=user_id)
        .values_list("organization_id", flat=True)
        .distinct()
    )


def security_officer_addresses(organization_id: int) -> list[str]:
    """Where to alert an organization's security officers (for the kernel's directory)."""
    return list(
        OrgMembership.objects.filter(
            organization_id=organization_id,
            role=OrgMembership.Role.SECURITY_OFFICER,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )


# --- setting up ----------------------------------------------------------------------------------


def setup_open() -> bool:
    """Whether the install is empty: the first-run page answers only then."""
    return not Organization.objects.exists()


def organization_programs_for(*, viewer: User, organization: Organization) -> QuerySet[Program]:
    """The programs of an organization the viewer administers (``access_organization_admin``
    already checked), newest first, archived ones last."""
    return (
        Program.objects.filter(organization=organization)
        .select_related("organization")
        .order_by(models.F("archived_at").asc(nulls_first=True), "-created_at", "pk")
    )
