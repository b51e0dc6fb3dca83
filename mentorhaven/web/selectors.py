"""What each person's dashboard shows, derived from their roles. Counts only, never content.

Every figure here is an aggregate computed in the database: a dashboard never lists other
people, their messages or notes. The number of queries is fixed (it does not grow with the
number of programs, members, invitations or audit events), which the tests check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.db.models import Count, Q
from django.utils import timezone

from mentorhaven.accounts.selectors import ROLES_ATTR
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Invitation, Membership, Organization, OrgMembership, Program

MENTEE = Membership.Role.MENTEE
MENTOR = Membership.Role.MENTOR
PROGRAM_ADMIN = Membership.Role.PROGRAM_ADMIN
ORG_ADMIN = OrgMembership.Role.ORG_ADMIN
AUDITOR = OrgMembership.Role.AUDITOR
SECURITY_OFFICER = OrgMembership.Role.SECURITY_OFFICER

# Roles whose holders see other people's data; the security officer's coverage table lists them.
STAFF_PROGRAM_ROLES = (MENTOR, PROGRAM_ADMIN)
STAFF_ORG_ROLES = (ORG_ADMIN, AUDITOR, SECURITY_OFFICER)
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
RECENT_DAYS = 30

_ROLES_CACHE = ROLES_ATTR
PROGRAM_ROLES = frozenset(Membership.Role.values)
DASHBOARD_ORG_ROLES = frozenset({ORG_ADMIN, AUDITOR, SECURITY_OFFICER})


def roles_for(user) -> frozenset[str]:
    """Every role ``user`` holds anywhere (program and organization roles), in one query.

    Kept on the user object for the rest of the request, so the navigation and the dashboard
    share it; the MFA check (accounts.middleware) has usually read it already.
    """
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is not None:
        return cached
    roles = frozenset(
        Membership.objects.filter(user=user)
        .values_list("role", flat=True)
        .union(OrgMembership.objects.filter(user=user).values_list("role", flat=True))
    )
    setattr(user, _ROLES_CACHE, roles)
    return roles


@dataclass
class ProgramFigures:
    program: Program
    counts: dict[str, int] = field(default_factory=dict)  # role -> members
    pending_invitations: int = 0

    @property
    def mentees(self) -> int:
        return self.counts.get(MENTEE, 0)

    @property
    def mentors(self) -> int:
        return self.counts.get(MENTOR, 0)

    @property
    def admins(self) -> int:
        return self.counts.get(PROGRAM_ADMIN, 0)


@dataclass
class MenteeProgram:
    program: Program
    mentors: list[str] = field(default_factory=list)  # names of their active mentors
    proposals: int = 0  # proposed matches waiting for an answer


@dataclass
class MentorProgram:
    program: Program
    capacity: int | None  # mentees this program lets one mentor take; None = not set yet
    active_mentees: int = 0
    proposals: int = 0


@dataclass
class OrgFigures:
    organization: Organization
    people: int = 0
    pending_invitations: int = 0
    programs: list[ProgramFigures] = field(default_factory=list)


@dataclass
class AuditFigures:
    organization: Organization
    events: int = 0
    recent_events: int = 0
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass
class CoverageRow:
    role: str
    label: str
    holders: int
    enrolled: int

    @property
    def percent(self) -> int:
        return round(100 * self.enrolled / self.holders) if self.holders else 100


@dataclass
class Coverage:
    organization: Organization
    rows: list[CoverageRow] = field(default_factory=list)


@dataclass
class Dashboard:
    roles: frozenset[str]
    mentee_programs: list[MenteeProgram] = field(default_factory=list)
    mentor_programs: list[MentorProgram] = field(default_factory=list)
    admin_programs: list[ProgramFigures] = field(default_factory=list)
    org_figures: list[OrgFigures] = field(default_factory=list)
    audit_figures: list[AuditFigures] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    last_checkpoint: AuditCheckpoint | None = None

    @property
    def has_sections(self) -> bool:
        return any(
            (
                self.mentee_programs,
                self.mentor_programs,
                self.admin_programs,
                self.org_figures,
                self.audit_figures,
                self.coverage,
            )
        )


def _program_figures(program_ids: set[int]) -> dict[int, ProgramFigures]:
    """Member counts by role and pending invitations for ``program_ids``: two queries."""
    if not program_ids:
        return {}
    programs = Program.objects.filter(pk__in=program_ids).select_related("organization")
    figures = {p.pk: ProgramFigures(program=p) for p in programs.order_by("name", "pk")}
    rows = (
        Membership.objects.filter(program_id__in=program_ids)
        .values("program_id", "role")
        .annotate(n=Count("id"))
    )
    for row in rows:
        figures[row["program_id"]].counts[row["role"]] = row["n"]
    pending = (
        _pending_invitations()
        .filter(program_id__in=program_ids)
        .values("program_id")
        .annotate(n=Count("id"))
    )
    for row in pending:
        figures[row["program_id"]].pending_invitations = row["n"]
    return figures


def _pending_invitations():
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def _org_figures(orgs: dict[int, Organization], programs: dict[int, ProgramFigures]):
    figures = {pk: OrgFigures(organization=org) for pk, org in orgs.items()}
    people = (
        OrgMembership.objects.filter(organization_id__in=orgs)
        .values("organization_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    for row in people:
        figures[row["organization_id"]].people = row["n"]
    pending = (
        _pending_invitations()
        .filter(organization_id__in=orgs)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    for row in pending:
        figures[row["organization_id"]].pending_invitations = row["n"]
    for pf in programs.values():
        if pf.program.organization_id in figures:
            figures[pf.program.organization_id].programs.append(pf)
    return sorted(figures.values(), key=lambda f: f.organization.name)


def _audit_figures(orgs: dict[int, Organization]) -> list[AuditFigures]:
    """Audit event counts per organization and data category (auditor's view): one query."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = (
        AuditEvent.objects.filter(organization_id__in=orgs)
        .values("organization_id", "category")
        .annotate(events=Count("id"), recent=Count("id", filter=Q(occurred_at__gte=since)))
    )
    figures = {pk: AuditFigures(organization=org) for pk, org in orgs.items()}
    for row in rows:
        org_id = row["organization_id"]
        if org_id is None:  # cannot happen (filtered on the auditor's organizations)
            continue
        f = figures[org_id]
        f.events += row["events"]
        f.recent_events += row["recent"]
        category = row["category"] or "other"
        f.by_category[category] = f.by_category.get(category, 0) + row["events"]
    return sorted(figures.values(), key=lambda f: f.organization.name)


def _coverage(orgs: dict[int, Organization]) -> list[Coverage]:
    """How many holders of each staff role have a second factor, per organization: two queries."""
    program_staff = Membership.objects.filter(
        program__organization_id__in=orgs, role__in=STAFF_PROGRAM_ROLES
    ).values_list("program__organization_id", "role", "user_id")
    org_staff = OrgMembership.objects.filter(
        organization_id__in=orgs, role__in=STAFF_ORG_ROLES
    ).values_list("organization_id", "role", "user_id")
    holders = set(program_staff.union(org_staff))
    enrolled = set(
        Authenticator.objects.filter(
            type__in=SECOND_FACTORS, user_id__in=[user_id for _, _, user_id in holders]
        ).values_list("user_id", flat=True)
    )
    held: Counter = Counter()
    with_mfa: Counter = Counter()
    for org_id, role, user_id in holders:
        held[(org_id, role)] += 1
        with_mfa[(org_id, role)] += user_id in enrolled
    labels = dict(Membership.Role.choices) | dict(OrgMembership.Role.choices)
    result = []
    for org_id, org in sorted(orgs.items(), key=lambda item: item[1].name):
        rows = [
            CoverageRow(role, labels[role], held[(org_id, role)], with_mfa[(org_id, role)])
            for role in (*STAFF_PROGRAM_ROLES, *STAFF_ORG_ROLES)
        ]
        result.append(Coverage(organization=org, rows=rows))
    return result


def _add_relationships(viewer, dash: Dashboard) -> None:
    """The viewer's own open relationships, in one query: a mentee sees the name of their
    active mentor (their own relationship), a mentor sees how many mentees they have."""
    as_mentee = {mp.program.pk: mp for mp in dash.mentee_programs}
    as_mentor = {mp.program.pk: mp for mp in dash.mentor_programs}
    rows = Relationship.objects.filter(
        Q(mentee=viewer) | Q(mentor=viewer),
        status__in=(Relationship.Status.PROPOSED, Relationship.Status.ACTIVE),
    ).values("program_id", "mentee_id", "status", "mentor__display_name", "mentor__email")
    for row in rows:
        active = row["status"] == Relationship.Status.ACTIVE
        if row["mentee_id"] == viewer.pk and row["program_id"] in as_mentee:
            mentee_view = as_mentee[row["program_id"]]
            if active:
                name = row["mentor__display_name"] or row["mentor__email"].split("@", 1)[0]
                mentee_view.mentors.append(name)
            else:
                mentee_view.proposals += 1
        elif row["program_id"] in as_mentor:
            mentor_view = as_mentor[row["program_id"]]
            if active:
                mentor_view.active_mentees += 1
            else:
                mentor_view.proposals += 1


def dashboard_for(viewer) -> Dashboard:
    """The viewer's dashboard: one section per role they hold, each with counts only.

    The roles decide which tables are read at all: a mentee's dashboard never reads
    organization memberships, an auditor's never reads program memberships.
    """
    roles = roles_for(viewer)
    memberships = (
        list(
            Membership.objects.filter(user=viewer)
            .select_related("program__organization")
            .order_by("program__name", "pk")
        )
        if roles & PROGRAM_ROLES
        else []
    )
    org_memberships = (
        list(
            OrgMembership.objects.filter(user=viewer, role__in=DASHBOARD_ORG_ROLES).select_related(
                "organization"
            )
        )
        if roles & DASHBOARD_ORG_ROLES
        else []
    )
    dash = Dashboard(roles=roles)

    by_role: dict[str, list[Membership]] = defaultdict(list)
    for m in memberships:
        by_role[m.role].append(m)
    orgs_by_role: dict[str, dict[int, Organization]] = defaultdict(dict)
    for om in org_memberships:
        orgs_by_role[om.role][om.organization_id] = om.organization

    dash.mentee_programs = [MenteeProgram(m.program) for m in by_role[MENTEE]]
    dash.mentor_programs = [
        MentorProgram(m.program, m.program.settings.get("mentor_capacity")) for m in by_role[MENTOR]
    ]
    if dash.mentee_programs or dash.mentor_programs:
        _add_relationships(viewer, dash)

    admin_orgs = orgs_by_role[ORG_ADMIN]
    administered = {m.program_id for m in by_role[PROGRAM_ADMIN]}
    org_program_ids = (
        set(Program.objects.filter(organization_id__in=admin_orgs).values_list("pk", flat=True))
        if admin_orgs
        else set()
    )
    figures = _program_figures(administered | org_program_ids)
    dash.admin_programs = [figures[pk] for pk in figures if pk in administered]
    if admin_orgs:
        dash.org_figures = _org_figures(
            admin_orgs, {pk: f for pk, f in figures.items() if pk in org_program_ids}
        )
    if orgs_by_role[AUDITOR]:
        dash.audit_figures = _audit_figures(orgs_by_role[AUDITOR])
        # The log's integrity is proven offline by `mentorhaven audit verify`; the auditor sees
        # when its tail was last signed.
        dash.last_checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    if orgs_by_role[SECURITY_OFFICER]:
        dash.coverage = _coverage(orgs_by_role[SECURITY_OFFICER])
    return dash
