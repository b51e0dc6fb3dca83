"""Who belongs where, as far as the kernel needs to know: answered by the apps.

The kernel imports no app (tests/kernel/test_kernel_imports.py). Where a kernel rule needs a
fact that an app owns — which organizations a person belongs to, who the security officers of
an organization are — the app registers a function here when it is ready
(``programs.apps.ProgramsConfig.ready``). Until one is registered the answers are empty, so a
kernel used alone alerts nobody rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

OrganizationsOf = Callable[[int], Iterable[int]]
OfficerAddresses = Callable[[int], Iterable[str]]

_organizations_of: list[OrganizationsOf] = []
_officer_addresses: list[OfficerAddresses] = []


def register(*, organizations_of: OrganizationsOf, officer_addresses: OfficerAddresses) -> None:
    """Install the app's answers (again on every ``ready``: the last registration wins)."""
    _organizations_of[:] = [organizations_of]
    _officer_addresses[:] = [officer_addresses]


def organizations_of(user_id: int) -> list[int]:
    """The organizations ``user_id`` belongs to, sorted."""
    return sorted({o for fn in _organizations_of for o in fn(user_id)})


def security_officer_addresses(organization_id: int) -> list[str]:
    """The e-mail addresses of the active security officers of an organization, sorted."""
    return sorted({a for fn in _officer_addresses for a in fn(organization_id)})
