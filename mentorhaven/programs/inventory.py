"""Personal data held by the programs app: memberships, roles and invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

MEMBERSHIP_RETENTION = "While you take part, then 12 months after the program ends"
INVITATION_RETENTION = "Until accepted, revoked or expired, then 90 days"

declare(
    "programs.OrgMembership",
    [
        Field(
            "user",
            Category.PROGRAM,
            label="Whose membership it is",
            purpose="Knowing which organization you belong to",
            basis="contract",
            visible_to=("self", "org_admin", "auditor"),
            retention="While you belong to the organization",
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "role",
            Category.PROGRAM,
            label="Your role in the organization",
            purpose="Deciding what you may see and do there",
            basis="contract",
            visible_to=("self", "org_admin", "auditor", "security_officer"),
            retention="While you belong to the organization",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your organizations",
)

declare(
    "programs.Membership",
    [
        Field(
            "user",
            Category.PROGRAM,
            label="Whose membership it is",
            purpose="Knowing which programs you take part in",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin", "auditor"),
            retention=MEMBERSHIP_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
        Field(
            "role",
            Category.PROGRAM,
            label="Your role in the program",
            purpose="Whether you mentor, are mentored, or run the program",
            basis="contract",
            visible_to=("self", "mentor", "program_admin", "org_admin", "auditor"),
            retention=MEMBERSHIP_RETENTION,
            erasure=Erasure.DELETE,
        ),
    ],
    record="Your programs",
)


def _invitation_rows(user: User) -> Q:
    # Invitations sent to your address, the one you accepted, and the ones you sent.
    return Q(email__iexact=user.email) | Q(accepted_by=user) | Q(invited_by=user)


declare(
    "programs.Invitation",
    [
        Field(
            "email",
            Category.PROFESSIONAL,
            label="The address invited",
            purpose="Sending the invitation to the right person",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention=INVITATION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "display_name",
            Category.PROFESSIONAL,
            label="The name given for the person invited",
            purpose="Pre-filling your name when you accept",
            basis="legitimate_interest",
            visible_to=("self", "program_admin", "org_admin"),
            retention=INVITATION_RETENTION,
            erasure=Erasure.DELETE,
        ),
        Field(
            "invited_by",
            Category.PROGRAM,
            label="Who sent it",
            purpose="Who sent the invitation",
            basis="legitimate_interest",
            visible_to=("program_admin", "org_admin", "auditor"),
            retention=INVITATION_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
        Field(
            "accepted_by",
            Category.PROGRAM,
            label="Who accepted it",
            purpose="Who joined through the invitation",
            basis="contract",
            visible_to=("self", "program_admin", "org_admin", "auditor"),
            retention=INVITATION_RETENTION,
            erasure=Erasure.ANONYMIZE,
        ),
    ],
    record="Invitations to a program",
    subject=_invitation_rows,
)

exempt(
    "programs.Organization",
    "the name and address slug of an organization and its API token policy, not of a person",
    fields=["name", "slug", "api_token_max_days"],
)
exempt(
    "programs.Program",
    "a program's name, slug, description and settings (its agreement text, sizes, idle days) "
    "are written by its organizers about the program, not about a person; shown to its members",
    fields=["name", "slug", "description", "settings"],
)
exempt(
    "programs.Invitation",
    "a SHA-256 of the invitation's secret; the secret itself is only in the e-mail",
    fields=["token_hash"],
)
exempt(
    "programs.SetupToken",
    "a SHA-256 of the one-time set-up secret of an empty install and a count of wrong guesses; "
    "the secret itself is only printed on the server",
    fields=["token_hash", "failed_attempts"],
)
