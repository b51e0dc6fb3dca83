"""What erasing a person removes from programs (privacy/erasure/registry.py): invitations sent to
their address (which name them), their memberships of programs and organizations, and their
name on invitations they sent or accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.privacy.erasure.registry import REMOVE, REVOKE, register
from mentorhaven.programs.models import Invitation, Membership, OrgMembership

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("programs.invitations", order=REVOKE)
def remove_invitations(user: User) -> dict[str, int]:
    Invitation.objects.filter(invited_by=user).update(invited_by=None)
    Invitation.objects.filter(accepted_by=user).update(accepted_by=None)
    return {"invitations": Invitation.objects.filter(email__iexact=user.email).delete()[0]}


@register("programs.memberships", order=REMOVE + 5)
def remove_memberships(user: User) -> dict[str, int]:
    removed = {
        "memberships": Membership.objects.filter(user=user).delete()[0],
        "org_memberships": OrgMembership.objects.filter(user=user).delete()[0],
    }
    suggestions_mark_stale(program=None)
    return removed
