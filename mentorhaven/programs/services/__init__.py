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
    invitation_first_admin,
    invitation_revoke,
    invitations_import,
)
from mentorhaven.programs.services.programs import (
    AUDIT_CATEGORY_PROGRAM,
    membership_grant,
    org_role_grant,
    organization_create,
    program_archive,
    program_create,
    program_update,
)
from mentorhaven.programs.services.setup import (
    SETUP_MAX_ATTEMPTS,
    SETUP_TOKEN_MINUTES,
    SetupResult,
    setup_complete,
    setup_token_issue,
)

__all__ = [
    "AUDIT_CATEGORY_PROGRAM",
    "INVITATION_TOKEN_BYTES",
    "SETUP_MAX_ATTEMPTS",
    "SETUP_TOKEN_MINUTES",
    "ImportRejected",
    "ImportRow",
    "InvitationRequest",
    "RowError",
    "SetupResult",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "invitation_first_admin",
    "invitation_revoke",
    "invitations_import",
    "membership_grant",
    "org_role_grant",
    "organization_create",
    "program_archive",
    "program_create",
    "program_update",
    "setup_complete",
    "setup_token_issue",
]
