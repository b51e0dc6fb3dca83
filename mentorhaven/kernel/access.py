"""Deny by default: who may do what to whose data, derived from facts, written once.

Nothing here is a stored grant. A viewer's *roles towards a data subject* are computed from
facts — the same person, a shared program, an admin role in the subject's organization, and (from
the mentoring app, later) an active mentoring relationship. ``ACCESS`` says, as data, which
actions each role has on each data category; whatever it does not list is refused.
``docs/privacy.md`` shows the same table, and a test keeps the two identical.

Being a Django superuser or staff member grants nothing here: there is no bypass.

Each app's ``access.py`` builds its ``access_<thing>(viewer, id, *, write=False)`` helpers from
``fetch`` (visible queryset → object or NotFound) and ``require`` (role table → NotFound or
PermissionDenied), and its selectors from the ``visible_*`` querysets below.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.kernel.inventory import Category, declaration_for


class Role(StrEnum):
    """A viewer's role *towards one data subject* (not a global rank)."""

    SELF = "self"  # the data subject themself
    MENTOR = "mentor"  # the subject's mentor while their relationship is active
    MENTEE = "mentee"  # the subject's mentee while their relationship is active
    PEER = "program_peer"  # takes part in a program with the subject
    PROGRAM_ADMIN = "program_admin"  # runs a program the subject takes part in
    ORG_ADMIN = "org_admin"  # administers the subject's organization
    AUDITOR = "auditor"  # audits the subject's organization
    SECURITY_OFFICER = "security_officer"  # handles incidents in the subject's organization


ROLES: tuple[str, ...] = tuple(str(r) for r in Role)


class Action(StrEnum):
    METADATA = "metadata"  # know that a record exists and its facts: dates, counts, who
    READ = "read"  # read the value or content itself
    WRITE = "write"  # change or delete it
    EXPORT = "export"  # take a copy out of MentorHaven


P, R, W, X, M = Category.PERSONAL, Action.READ, Action.WRITE, Action.EXPORT, Action.METADATA

# role x category → allowed actions. Anything absent is denied.
ACCESS: dict[Role, dict[Category, frozenset[Action]]] = {
    Role.SELF: {
        Category.PROFESSIONAL: frozenset({M, R, W, X}),
        Category.PERSONAL: frozenset({M, R, W, X}),
        Category.PROGRAM: frozenset({M, R, X}),
        Category.PLATFORM: frozenset({M, R, W, X}),
        Category.ANALYTICAL: frozenset({M, R, X}),
    },
    Role.MENTOR: {
        # Only what the mentee chose to share, and only while the relationship is active.
        Category.PROFESSIONAL: frozenset({M, R}),
        Category.PERSONAL: frozenset({M, R}),
        Category.PROGRAM: frozenset({M, R}),
        Category.PLATFORM: frozenset({M, R}),
    },
    Role.MENTEE: {
        Category.PROFESSIONAL: frozenset({M, R}),
        Category.PROGRAM: frozenset({M}),
        Category.PLATFORM: frozenset({M, R}),
    },
    Role.PEER: {
        Category.PROFESSIONAL: frozenset({M}),
    },
    Role.PROGRAM_ADMIN: {
        # Program metadata (who is matched, meeting counts), never content or private notes.
        Category.PROFESSIONAL: frozenset({M, R}),
        Category.PROGRAM: frozenset({M, R, W}),
        Category.PLATFORM: frozenset({M}),
        Category.ANALYTICAL: frozenset({M, R}),
    },
    Role.ORG_ADMIN: {
        Category.PROFESSIONAL: frozenset({M, R}),
        Category.PROGRAM: frozenset({M, R, W}),
        Category.PLATFORM: frozenset({M}),
        Category.ANALYTICAL: frozenset({M}),
    },
    Role.AUDITOR: {
        Category.PROGRAM: frozenset({M}),
        Category.PLATFORM: frozenset({M}),
    },
    Role.SECURITY_OFFICER: {
        Category.PROGRAM: frozenset({M}),
        Category.PLATFORM: frozenset({M}),
    },
}
del P, R, W, X, M


def allowed(role: str, category: str, action: str) -> bool:
    """The table lookup. Unknown roles, categories and actions are denied."""
    try:
        return Action(action) in ACCESS.get(Role(role), {}).get(Category(category), frozenset())
    except ValueError:
        return False


def roles_seeing(category: str) -> set[str]:
    """Roles that may see anything (metadata or content) of ``category``."""
    return {
        str(role)
        for role in Role
        if allowed(role, category, Action.READ) or allowed(role, category, Action.METADATA)
    }


# --- facts -------------------------------------------------------------------------------------

# Extra facts from later apps: ``fn(viewer, subject) -> set of roles``. The mentoring app
# registers the MENTOR / MENTEE facts (active relationships) here.
RoleSource = Callable[[object, object], set[str]]
_role_sources: list[RoleSource] = []


def register_role_source(source: RoleSource) -> RoleSource:
    if source not in _role_sources:
        _role_sources.append(source)
    return source


def _is_person(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def roles_towards(viewer, subject) -> set[str]:
    """Every role ``viewer`` holds towards ``subject`` (a user), from facts in the database."""
    from mentorhaven.programs.models import Membership, OrgMembership

    if not _is_person(viewer) or subject is None:
        return set()
    subject_id = subject if isinstance(subject, int) else subject.pk
    if viewer.pk == subject_id:
        return {str(Role.SELF)}
    roles: set[str] = set()
    subject_programs = Membership.objects.filter(user_id=subject_id).values("program_id")
    viewer_program_roles = set(
        Membership.objects.filter(user=viewer, program_id__in=subject_programs).values_list(
            "role", flat=True
        )
    )
    if viewer_program_roles:
        roles.add(str(Role.PEER))
    if Membership.Role.PROGRAM_ADMIN in viewer_program_roles:
        roles.add(str(Role.PROGRAM_ADMIN))
    subject_orgs = OrgMembership.objects.filter(user_id=subject_id).values("organization_id")
    org_roles = set(
        OrgMembership.objects.filter(user=viewer, organization_id__in=subject_orgs).values_list(
            "role", flat=True
        )
    )
    for role in (Role.ORG_ADMIN, Role.AUDITOR, Role.SECURITY_OFFICER):
        if str(role) in org_roles:
            roles.add(str(role))
    for source in _role_sources:
        roles |= set(source(viewer, subject)) & set(ROLES)
    return roles


def can(viewer, subject, category: str, action: str) -> bool:
    return any(allowed(role, category, action) for role in roles_towards(viewer, subject))


def require(viewer, obj: Model, action: str, *, subject=None, category: str | None = None):
    """Return ``obj`` if ``viewer`` may do ``action`` to it, judged by the role table.

    The subject and category default to the object's inventory declaration (its subject field and
    its most sensitive category). A viewer who may not even see the object gets ``NotFound`` —
    the same answer as for a missing object; one who may see it but not do this gets
    ``PermissionDenied``.
    """
    declaration = declaration_for(obj)
    if subject is None and declaration is not None:
        subject = declaration.subject_of(obj)
    if category is None and declaration is not None:
        category = declaration.category
    if subject is None or category is None:
        raise NotFound()  # undeclared data has no rule, so nobody gets it
    roles = roles_towards(viewer, subject)
    if not any(
        allowed(r, category, Action.METADATA) or allowed(r, category, Action.READ) for r in roles
    ):
        raise NotFound()
    if not any(allowed(r, category, action) for r in roles):
        raise PermissionDenied()
    return obj


def fetch(visible: QuerySet, *, write: bool = False, writable: QuerySet | None = None, **lookup):
    """The object matching ``lookup`` among ``visible`` rows, or ``NotFound``.

    With ``write=True`` the object must also be among ``writable`` rows (defaults to none: a
    helper that allows writing says so), else ``PermissionDenied``.
    """
    obj = visible.filter(**lookup).first()
    if obj is None:
        raise NotFound()
    if write and (writable is None or not writable.filter(pk=obj.pk).exists()):
        raise PermissionDenied()
    return obj


# --- visibility as querysets (selectors filter in the query) ------------------------------------


def visible_organizations(viewer) -> QuerySet:
    from mentorhaven.programs.models import Organization

    if not _is_person(viewer):
        return Organization.objects.none()
    return Organization.objects.filter(members__user=viewer).distinct()


def visible_programs(viewer) -> QuerySet:
    """Programs the viewer takes part in, or oversees as an admin, auditor or security officer of
    their organization (program metadata only; content rules are per category)."""
    from mentorhaven.programs.models import OrgMembership, Program

    if not _is_person(viewer):
        return Program.objects.none()
    overseen = OrgMembership.objects.filter(
        user=viewer,
        role__in=[
            OrgMembership.Role.ORG_ADMIN,
            OrgMembership.Role.AUDITOR,
            OrgMembership.Role.SECURITY_OFFICER,
        ],
    ).values("organization_id")
    return Program.objects.filter(
        Q(memberships__user=viewer) | Q(organization_id__in=overseen)
    ).distinct()


def administered_programs(viewer) -> QuerySet:
    """Programs the viewer may change: program admins of the program, org admins of its org."""
    from mentorhaven.programs.models import Membership, OrgMembership, Program

    if not _is_person(viewer):
        return Program.objects.none()
    org_ids = OrgMembership.objects.filter(user=viewer, role=OrgMembership.Role.ORG_ADMIN).values(
        "organization_id"
    )
    program_ids = Membership.objects.filter(user=viewer, role=Membership.Role.PROGRAM_ADMIN).values(
        "program_id"
    )
    return Program.objects.filter(Q(organization_id__in=org_ids) | Q(pk__in=program_ids))


def visible_people(viewer) -> QuerySet:
    """People whose professional profile (name) the viewer may see at all."""
    from mentorhaven.programs.models import Membership, OrgMembership

    User = get_user_model()
    if not _is_person(viewer):
        return User.objects.none()
    shared_programs = Membership.objects.filter(user=viewer).values("program_id")
    admin_orgs = OrgMembership.objects.filter(
        user=viewer, role=OrgMembership.Role.ORG_ADMIN
    ).values("organization_id")
    return User.objects.filter(
        Q(pk=viewer.pk)
        | Q(memberships__program_id__in=shared_programs)
        | Q(org_memberships__organization_id__in=admin_orgs)
    ).distinct()


def markdown_table() -> str:
    """``ACCESS`` as a Markdown table (role x category), for ``docs/privacy.md``."""
    categories = list(Category)
    lines = [
        "| role | " + " | ".join(c.label for c in categories) + " |",
        "| --- |" + " --- |" * len(categories),
    ]
    for role in Role:
        cells = []
        for category in categories:
            actions = [str(a) for a in Action if allowed(role, category, a)]
            cells.append(", ".join(actions) if actions else "—")
        lines.append(f"| {role} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
