"""What every matching service shares: role checks and the audit call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.kernel.inventory import Category
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.domain import coordinators_run_matching, mentees_request
from mentorhaven.programs.models import Membership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

DEFAULT_REQUEST_WINDOW_DAYS = 7


MAX_OPTIONS = 50


MAX_WEIGHT = 10.0


def _require_admin(actor: User, program: Program) -> None:
    if not administered_programs(actor).filter(pk=program.pk).exists():
        raise PermissionDenied()


def require_requests_open(program: Program) -> None:
    """Conflict (code ``matching_mode``) when the program's coordinators make every match: its
    mentees do not ask mentors (``programs.domain.mentees_request``)."""
    if not mentees_request(program.settings):
        raise Conflict(
            _("In this program the coordinators propose the matches: mentees do not ask mentors."),
            code="matching_mode",
        )


def require_runs_open(program: Program) -> None:
    """Conflict (code ``matching_mode``) when pairs form only by mentees' requests in the
    program: no match runs there (``programs.domain.coordinators_run_matching``)."""
    if not coordinators_run_matching(program.settings):
        raise Conflict(
            _("In this program mentees ask their mentors: there are no match runs."),
            code="matching_mode",
        )


def _require_role(user: User, program: Program, role: str) -> None:
    if not Membership.objects.filter(program=program, user=user, role=role).exists():
        # No name or address in the message: it may be shown to someone other than ``user``.
        raise ValidationFailed(
            _("This person does not take part in the program in that role."), code="not_a_member"
        )


def _audit(
    action: str,
    *,
    actor: User | None,
    program: Program,
    target=None,
    subject=None,
    purpose: str,
    category: str = Category.PROGRAM,
    extra: dict | None = None,
) -> None:
    audit.record(
        action=action,
        actor=actor,
        target=target,
        subject=subject,
        purpose=purpose,
        category=str(category),
        organization=program.organization_id,
        extra=extra,
    )
