"""Which sections each person sees in the navigation, derived from their roles.

An entry names a URL pattern and the roles that may use it. Entries whose page does not exist
(yet) are left out rather than shown as dead links, so an app adds its section here by name and
it appears once its URL is routed. Role sections of the dashboard are linked by anchor.

Reversed URLs are kept per process: routes do not change while the process runs. The cache is
keyed on the URLconf and script prefix in force and emptied whenever ROOT_URLCONF changes
(tests that swap URLconfs), so it never answers for routes other than the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from mentorhaven.web.selectors import (
    AUDITOR,
    MENTEE,
    MENTOR,
    ORG_ADMIN,
    PROGRAM_ADMIN,
    SECURITY_OFFICER,
    roles_for,
)

EVERYONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    roles: frozenset[str] = EVERYONE  # empty: every signed-in person
    anchor: str = ""


ENTRIES: tuple[Entry, ...] = (
    Entry("Dashboard", "dashboard"),
    Entry("Mentoring", "relationship_list", frozenset({MENTEE, MENTOR})),
    Entry("Messages", "messaging:inbox", frozenset({MENTEE, MENTOR})),
    Entry("Matching", "matching_home", frozenset({MENTEE, MENTOR, PROGRAM_ADMIN})),
    Entry("Safety reports", "messaging:reports", frozenset({PROGRAM_ADMIN, ORG_ADMIN})),
    Entry("Programs", "dashboard", frozenset({PROGRAM_ADMIN}), "program-admin"),
    Entry("Organization", "dashboard", frozenset({ORG_ADMIN}), "org-admin"),
    Entry("Invitations", "invitations_home", frozenset({PROGRAM_ADMIN, ORG_ADMIN})),
    Entry("Compliance", "dashboard", frozenset({AUDITOR}), "auditor"),
    Entry("Audit log", "audit_log", frozenset({AUDITOR})),
    Entry("MFA coverage", "dashboard", frozenset({SECURITY_OFFICER}), "security"),
    Entry("Notifications", "messaging:notifications"),
    Entry("Privacy", "privacy_home"),
    Entry("Account", "account_security"),
)


_MISSING = ""  # cached answer for a route that does not exist
_reversed: dict[tuple[str | None, str, str], str] = {}


@receiver(setting_changed)
def _forget_reversed(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.clear()


def routes_in_force() -> tuple[str, str]:
    # The URLconf in force: a thread-local override, or the setting itself (which test tools
    # may change without sending ``setting_changed``); and the script prefix.
    return (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def reverse_cached(url_name: str, routes: tuple[str, str] | None = None) -> str | None:
    """``reverse(url_name)`` without arguments, remembered for the process; None if unrouted.
    ``routes`` (from routes_in_force) saves looking up the URLconf again for each name."""
    key = (*(routes or routes_in_force()), url_name)
    url = _reversed.get(key)
    if url is None:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = _MISSING
        _reversed[key] = url
    return url or None


def _url(entry: Entry, routes: tuple[str, str]) -> str | None:
    url = reverse_cached(entry.url_name, routes)
    if url is None:
        return None
    return f"{url}#{entry.anchor}" if entry.anchor else url


def navigation_for(user) -> list[NavItem]:
    """The navigation of a signed-in ``user``: the entries their roles allow whose page exists."""
    roles = roles_for(user)
    routes = routes_in_force()
    items = []
    for entry in ENTRIES:
        if entry.roles and not (entry.roles & roles):
            continue
        url = _url(entry, routes)
        if url is not None:
            items.append(NavItem(entry.label, url))
    return items


_CURRENT = ' aria-current="page"'


def nav_links(items: list[NavItem], current_path: str) -> SafeString:
    """The ``<li>`` links of the main navigation, the current page marked, every value escaped
    (as the template's autoescaping would).

    Built here rather than with a template loop: the layout of every signed-in page shows it,
    and a loop of template nodes costs several times more to render than this.
    """
    return mark_safe(  # noqa: S308  (every value below is escaped)
        "".join(
            f'<li><a href="{escape(item.url)}"{_CURRENT if item.url == current_path else ""}>'
            f"{escape(item.label)}</a></li>"
            for item in items
        )
    )
