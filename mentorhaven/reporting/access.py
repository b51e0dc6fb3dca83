"""Who may see a program's dashboard, and the smallest group their figures may describe.

The program's own admins see figures about groups of at least the organization's ``program_k``
people; its organization's admins and auditors (organization-wide oversight) at least
``organization_k``. Both are never below the floors in ``models``; a program's own
``min_group_size`` setting can only raise them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mentorhaven.accounts.models import User
from mentorhaven.kernel.access import fetch
from mentorhaven.mentoring.access import overseen_programs
from mentorhaven.programs.models import Membership, Organization, Program
from mentorhaven.reporting.domain import k_for
from mentorhaven.reporting.models import ORGANIZATION_K_FLOOR, PROGRAM_K_FLOOR, ReportingPolicy


@dataclass(frozen=True)
class ReportScope:
    program: Program
    k: int
    organization_wide: bool  # the viewer oversees the organization rather than runs the program


def policy_for(organization: Organization) -> ReportingPolicy:
    """The organization's policy (the floors when it never set one; not saved)."""
    policy = ReportingPolicy.objects.filter(organization=organization).first()
    return policy or ReportingPolicy(organization=organization)


def access_program_report(viewer: User, public_id: Any) -> ReportScope:
    """The dashboard scope of the program with ``public_id`` if the viewer oversees it (program
    admin, org admin, auditor), else NotFound, with the ``k`` of the viewer's role."""
    program: Program = fetch(overseen_programs(viewer).select_related("organization"), public_id)
    runs_it = Membership.objects.filter(
        program=program, user=viewer, role=Membership.Role.PROGRAM_ADMIN
    ).exists()
    policy = policy_for(program.organization)
    if runs_it:
        floor = max(policy.program_k, PROGRAM_K_FLOOR)
    else:
        floor = max(policy.organization_k, ORGANIZATION_K_FLOOR)
    return ReportScope(program, k_for(program.settings, floor=floor), not runs_it)
