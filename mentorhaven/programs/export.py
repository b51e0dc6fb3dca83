"""What a data export holds from the programs app (privacy/export/registry.py)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorhaven.privacy.export.registry import Section, register
from mentorhaven.programs.models import Invitation, Membership, OrgMembership


def membership_rows(context):
    user = context.user
    for org in OrgMembership.objects.filter(user=user).select_related("organization"):
        yield {
            "record": "organization",
            "organization": org.organization.name,
            "program": "",
            "role": org.role,
            "since": org.created_at,
        }
    for member in Membership.objects.filter(user=user).select_related("program__organization"):
        yield {
            "record": "program",
            "organization": member.program.organization.name,
            "program": member.program.name,
            "role": member.role,
            "since": member.created_at,
        }


def invitation_rows(context):
    user = context.user
    found = Invitation.objects.filter(
        Q(email__iexact=user.email) | Q(accepted_by=user) | Q(invited_by=user)
    ).select_related("organization", "program")
    for invitation in found.order_by("created_at").iterator():
        yield {
            "organization": invitation.organization.name,
            "program": invitation.program.name if invitation.program else "",
            "address": invitation.email,
            "name_given": invitation.display_name,
            "role": invitation.program_role or invitation.org_role,
            "sent_by_you": invitation.invited_by_id == user.pk,
            "sent": invitation.created_at,
            "expires": invitation.expires_at,
            "accepted": invitation.accepted_at,
            "revoked": invitation.revoked_at,
        }


register(
    Section(
        key="memberships",
        title=_("Your organizations and programs"),
        models=("programs.OrgMembership", "programs.Membership"),
        rows=membership_rows,
        source=_("Given by your organization's and programs' admins, or by accepting invitations"),
        order=20,
    )
)
register(
    Section(
        key="invitations",
        title=_("Invitations to you, and those you sent"),
        models=("programs.Invitation",),
        rows=invitation_rows,
        source=_("Written by the admin who invited"),
        order=21,
    )
)
