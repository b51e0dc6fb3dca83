"""What each person's dashboard shows, derived from their roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from mentorhaven.programs.models import Membership, OrgMembership


@dataclass
class Dashboard:
    program_memberships: list = field(default_factory=list)
    org_memberships: list = field(default_factory=list)

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.program_memberships} | {
            m.role for m in self.org_memberships if m.role != OrgMembership.Role.MEMBER
        }


def dashboard_for(user) -> Dashboard:
    return Dashboard(
        program_memberships=list(
            Membership.objects.filter(user=user).select_related("program__organization")
        ),
        org_memberships=list(OrgMembership.objects.filter(user=user).select_related("organization")),
    )
