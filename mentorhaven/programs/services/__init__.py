"""Writes about organizations, programs, memberships and invitations."""

from mentorhaven.programs.services.invitations import (
    INVITATION_TOKEN_BYTES,
    ImportRejected,
    ImportRow,
    InvitationRequest,
    RowError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_revoke,
    invitations_import,
)
from mentorhaven.programs.services.programs import (
    AUDIT_CATEGORY_PROGRAM,
    membership_grant,
    org_role_grant,
    organization_create,
    program_create,
)

__all__ = [
    "AUDIT_CATEGORY_PROGRAM",
    "INVITATION_TOKEN_BYTES",
    "ImportRejected",
    "ImportRow",
    "InvitationRequest",
    "RowError",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "invitation_revoke",
    "invitations_import",
    "membership_grant",
    "org_role_grant",
    "organization_create",
    "program_create",
]
