"""Which sections each person sees in the navigation, derived from their roles.

The navigation is a table of entries: a label, the URL pattern it opens and the roles that use
it. Entries whose page does not exist (yet) are left out rather than shown as dead links, so an
app adds its section here by name and it appears once its URL is routed. Role sections of the
dashboard are linked by anchor. ``templates/web/_navigation.html`` renders the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mentorhaven.accounts.models import User
from mentorhaven.accounts.selectors import roles_for
from mentorhaven.programs.models import Membership, OrgMembership

MENTEE = Membership.Role.MENTEE
MENTOR = Membership.Role.MENTOR
PROGRAM_ADMIN = Membership.Role.PROGRAM_ADMIN
ORG_ADMIN = OrgMembership.Role.ORG_ADMIN
AUDITOR = OrgMembership.Role.AUDITOR
SECURITY_OFFICER = OrgMembership.Role.SECURITY_OFFICER
EVERYONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = EVERYONE  # empty: every signed-in person
    anchor: str = ""
    # Shown only when the caller says the person has something there (``present``), whatever
    # their roles: the page of security notices, for people who have been sent one.
    only_when_present: bool = False


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    current: bool = False
    count: int = 0  # shown beside the label when above zero (unread notifications)


ENTRIES: tuple[Entry, ...] = (
    Entry(_("Dashboard"), "dashboard"),
    Entry(_("Mentoring"), "relationship_list", frozenset({MENTEE, MENTOR})),
    Entry(_("Messages"), "messaging:inbox", frozenset({MENTEE, MENTOR})),
    Entry(_("Matching"), "matching_home", frozenset({MENTEE, MENTOR, PROGRAM_ADMIN})),
    Entry(_("Security training"), "gates:training", frozenset({MENTOR})),
    Entry(_("Safety reports"), "messaging:reports", frozenset({PROGRAM_ADMIN, ORG_ADMIN})),
    Entry(_("Programs"), "dashboard", frozenset({PROGRAM_ADMIN}), "program-admin"),
    Entry(_("Organization"), "dashboard", frozenset({ORG_ADMIN}), "org-admin"),
    Entry(_("Program set-up"), "programs_home", frozenset({ORG_ADMIN})),
    Entry(_("Invitations"), "invitations_home", frozenset({PROGRAM_ADMIN, ORG_ADMIN})),
    Entry(_("Retention"), "retention", frozenset({ORG_ADMIN, AUDITOR, SECURITY_OFFICER})),
    Entry(_("Compliance"), "dashboard", frozenset({AUDITOR}), "auditor"),
    Entry(_("Audit log"), "audit_log", frozenset({AUDITOR})),
    Entry(_("MFA coverage"), "dashboard", frozenset({SECURITY_OFFICER}), "security"),
    Entry(_("Incidents"), "incidents:list", frozenset({SECURITY_OFFICER})),
    Entry(_("Notifications"), "messaging:notifications"),
    Entry(_("Security notices"), "incidents:notices", only_when_present=True),
    Entry(_("Privacy"), "privacy_home"),
    Entry(_("Account"), "account_security"),
)


def navigation_for(
    user: User,
    current_path: str = "",
    counts: dict[str, int] | None = None,
    present: frozenset[str] = frozenset(),
) -> list[NavItem]:
    """The navigation of a signed-in ``user``: the entries their roles use whose page exists,
    the one for ``current_path`` marked as current; ``counts`` (by URL name) puts a number
    beside an entry; entries shown only when present appear when their URL name is in
    ``present``."""
    counts = counts or {}
    roles = roles_for(user)
    items = []
    for entry in ENTRIES:
        if entry.roles and not entry.roles & roles:
            continue
        if entry.only_when_present and entry.url_name not in present:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        link = f"{url}#{entry.anchor}" if entry.anchor else url
        items.append(
            NavItem(
                entry.label,
                link,
                current=link == current_path,
                count=0 if entry.anchor else counts.get(entry.url_name, 0),
            )
        )
    return items
