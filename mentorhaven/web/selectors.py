"""What each person's dashboard shows, derived from their roles. Counts only, never content.

Every figure here is an aggregate computed in the database: a dashboard never lists other
people, their messages or notes. The number of queries is fixed (it does not grow with the
number of programs, members, invitations or audit events), which the tests check.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from allauth.mfa.models import Authenticator
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from mentorhaven.accounts.hot_reads import fetch_all
from mentorhaven.accounts.models import User
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


@functools.cache
def _own_programs_sql(vendor: str) -> str:
    """One read for the viewer's program roles and their own open relationships.

    Each membership row comes back once per open relationship the viewer has in that program
    in the membership's role (as mentee: theirs with their mentor; as mentor: theirs with each
    mentee), or once with NULLs when there is none. Written out (table and column names from
    the models) because the ORM spends longer building the two reads this replaces than the
    database spends answering them. Only quoted model identifiers are formatted in.
    """
    qn = connection.ops.quote_name
    m, p, o = Membership._meta, Program._meta, Organization._meta
    r, u = Relationship._meta, User._meta

    def col(meta, name):
        return qn(meta.get_field(name).column)

    return (
        f"SELECT m.{col(m, 'role')}, p.{col(p, 'id')}, p.{col(p, 'name')},"  # noqa: S608
        f" p.{col(p, 'settings')}, o.{col(o, 'id')}, o.{col(o, 'name')},"
        f" r.{col(r, 'status')}, mu.{col(u, 'display_name')}, mu.{col(u, 'email')}"
        f" FROM {qn(m.db_table)} m"
        f" JOIN {qn(p.db_table)} p ON p.{col(p, 'id')} = m.{col(m, 'program')}"
        f" JOIN {qn(o.db_table)} o ON o.{col(o, 'id')} = p.{col(p, 'organization')}"
        f" LEFT JOIN {qn(r.db_table)} r ON r.{col(r, 'program')} = m.{col(m, 'program')}"
        f" AND r.{col(r, 'status')} IN (%s, %s)"
        f" AND ((m.{col(m, 'role')} = %s AND r.{col(r, 'mentee')} = m.{col(m, 'user')})"
        f" OR (m.{col(m, 'role')} = %s AND r.{col(r, 'mentor')} = m.{col(m, 'user')}))"
        f" LEFT JOIN {qn(u.db_table)} mu ON mu.{col(u, 'id')} = r.{col(r, 'mentor')}"
        f" WHERE m.{col(m, 'user')} = %s"
        f" ORDER BY p.{col(p, 'name')}, m.{col(m, 'id')}"
    )


def _partial(model, **values):
    """A model instance as the ORM would load it with only ``values`` read (the rest deferred)."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, fields, [values[name] for name in fields])


def _own_programs(viewer, dash: Dashboard) -> set[int]:
    """Fill the viewer's mentee and mentor sections (their own relationships only: a mentee
    sees their active mentor's name, a mentor how many mentees they have) in ONE query, and
    return the ids of the programs they administer."""
    settings_field = Program._meta.get_field("settings")
    rows = fetch_all(
        _own_programs_sql(connection.vendor),
        [Relationship.Status.PROPOSED, Relationship.Status.ACTIVE, MENTEE, MENTOR, viewer.pk],
    )
    programs: dict[int, Program] = {}
    mentee_views: dict[int, MenteeProgram] = {}
    mentor_views: dict[int, MentorProgram] = {}
    administered: set[int] = set()
    for role, program_id, name, raw_settings, org_id, org_name, status, mentor_name, email in rows:
        program = programs.get(program_id)
        if program is None:
            # Only the fields the dashboard shows are read; anything else would load lazily.
            program = _partial(
                Program,
                id=program_id,
                name=name,
                # No expression: the column is read whole, never a key of it.
                settings=settings_field.from_db_value(raw_settings, cast(Any, None), connection),
                organization_id=org_id,
            )
            program.organization = _partial(Organization, id=org_id, name=org_name)
            programs[program_id] = program
        if role == MENTEE:
            view = mentee_views.get(program_id)
            if view is None:
                view = mentee_views[program_id] = MenteeProgram(program)
                dash.mentee_programs.append(view)
            if status == Relationship.Status.ACTIVE:
                view.mentors.append(mentor_name or email.split("@", 1)[0])
            elif status is not None:
                view.proposals += 1
        elif role == MENTOR:
            mentor_view = mentor_views.get(program_id)
            if mentor_view is None:
                capacity = (program.settings or {}).get("mentor_capacity")
                mentor_view = mentor_views[program_id] = MentorProgram(program, capacity)
                dash.mentor_programs.append(mentor_view)
            if status == Relationship.Status.ACTIVE:
                mentor_view.active_mentees += 1
            elif status is not None:
                mentor_view.proposals += 1
        elif role == PROGRAM_ADMIN:
            administered.add(program_id)
    return administered


def dashboard_for(viewer) -> Dashboard:
    """The viewer's dashboard: one section per role they hold, each with counts only.

    The roles decide which tables are read at all: a mentee's dashboard never reads
    organization memberships, an auditor's never reads program memberships.
    """
    roles = roles_for(viewer)
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
    administered = _own_programs(viewer, dash) if roles & PROGRAM_ROLES else set()

    orgs_by_role: dict[str, dict[int, Organization]] = defaultdict(dict)
    for om in org_memberships:
        orgs_by_role[om.role][om.organization_id] = om.organization

    admin_orgs = orgs_by_role[ORG_ADMIN]
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
