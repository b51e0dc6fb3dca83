"""Reads about accounts."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from mentorhaven.programs.models import Membership, OrgMembership

# Roles whose holders see other people's data: they must use a second factor.
MFA_PROGRAM_ROLES = (Membership.Role.MENTOR, Membership.Role.PROGRAM_ADMIN)
MFA_ORG_ROLES = (
    OrgMembership.Role.ORG_ADMIN,
    OrgMembership.Role.AUDITOR,
    OrgMembership.Role.SECURITY_OFFICER,
)


def user_requires_mfa(user) -> bool:
    if user.is_staff or user.is_superuser:
        return True
    return (
        Membership.objects.filter(user=user, role__in=MFA_PROGRAM_ROLES).exists()
        or OrgMembership.objects.filter(user=user, role__in=MFA_ORG_ROLES).exists()
    )


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
