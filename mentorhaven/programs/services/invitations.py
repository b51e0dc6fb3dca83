"""Invitations: one at a time or imported from a CSV, revoked, accepted."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    ValidationFailed,
)
from mentorhaven.mail import send_after_commit
from mentorhaven.messaging.notices import Kind, notify
from mentorhaven.programs.access import ensure_program_open
from mentorhaven.programs.models import (
    Invitation,
    Membership,
    Organization,
    OrgMembership,
    Program,
)
from mentorhaven.programs.selectors import InviteScope, invitation_token_hash, invite_scope
from mentorhaven.programs.services.programs import (
    AUDIT_CATEGORY_PROGRAM,
    membership_grant,
    org_role_grant,
)

# 32 random bytes: 256 bits, well above the 128 the policy asks for.
INVITATION_TOKEN_BYTES = 32


@dataclass(frozen=True)
class InvitationRequest:
    """One checked invitation, ready to be written."""

    organization: Organization
    email: str
    program: Program | None
    program_role: str
    org_role: str
    display_name: str = ""


def invitation_check(
    *,
    actor: User,
    organization: Organization,
    email: str,
    program: Program | None = None,
    program_role: str = "",
    org_role: str = OrgMembership.Role.MEMBER,
    display_name: str = "",
    scope: InviteScope | None = None,
) -> InvitationRequest:
    """Validate one invitation without writing anything.

    Raises NotFound (the actor administers nothing here), PermissionDenied (beyond their role)
    or ValidationFailed (bad address or role, already invited, already a member). ``scope`` is
    the actor's rights in ``organization`` when the caller already computed them.
    """
    if scope is None or scope.organization.pk != organization.pk:
        scope = invite_scope(actor, organization)
    if scope is None:
        raise NotFound()
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(_("This is not a valid e-mail address."), code="bad_email") from exc
    if org_role not in OrgMembership.Role.values:
        raise ValidationFailed(_("Unknown organization role."), code="unknown_role")
    if program is None:
        if program_role:
            raise ValidationFailed(_("A program role needs a program."), code="program_required")
    elif program_role not in Membership.Role.values:
        raise ValidationFailed(_("Unknown program role."), code="unknown_role")
    else:
        ensure_program_open(program)  # nobody new joins an archived program
    scope.check(program=program, program_role=program_role, org_role=org_role)

    pending = Invitation.objects.filter(
        organization=organization,
        program=program,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationFailed(
            _("This address already has a pending invitation here."), code="already_invited"
        )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if program is not None:
            has_role = Membership.objects.filter(
                program=program, user=existing, role=program_role
            ).exists()
        else:
            has_role = OrgMembership.objects.filter(
                organization=organization, user=existing, role=org_role
            ).exists()
        if has_role:
            raise ValidationFailed(_("This person already has that role."), code="already_member")
    return InvitationRequest(
        organization=organization,
        email=email,
        program=program,
        program_role=program_role,
        org_role=org_role,
        display_name=(display_name or "").strip()[:150],
    )


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    # The token exists only here and in the recipient's mailbox; it is never queued as a task
    # argument or logged, so the database holds nothing but its SHA-256.
    context = {
        "invitation": invitation,
        "link": f"{settings.SITE_URL}/accounts/invitation/{token}/",
        "days": settings.INVITATION_DAYS,
    }
    subject = render_to_string("programs/email/invitation_subject.txt", context).strip()
    body = render_to_string("programs/email/invitation_message.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
    )


def _invitation_write(*, actor: User | None, request: InvitationRequest) -> Invitation:
    token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
    now = timezone.now()
    invitation = Invitation.objects.create(
        organization=request.organization,
        program=request.program,
        email=request.email,
        display_name=request.display_name,
        program_role=request.program_role,
        org_role=request.org_role,
        token_hash=invitation_token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )
    audit.record(
        action="invitation.create",
        actor=actor,
        target=invitation,
        purpose="invite a person into a program",
        category=AUDIT_CATEGORY_PROGRAM,
        organization=request.organization,
        extra={"program_role": request.program_role, "org_role": request.org_role},
    )
    send_after_commit(partial(_send_invitation_email, invitation, token), "invitation")
    # Someone who already has an account sees it in the app too (the link to accept stays in
    # the e-mail: the notice never holds the token).
    notify(
        user_ids=User.objects.filter(email__iexact=invitation.email).values_list("pk", flat=True),
        kind=Kind.INVITATION,
        link=reverse("dashboard"),
    )
    return invitation


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    organization: Organization,
    email: str,
    program: Program | None = None,
    program_role: str = "",
    org_role: str = OrgMembership.Role.MEMBER,
    display_name: str = "",
) -> Invitation:
    """Invite ``email``; the link (with a token shown nowhere else) goes out after commit.

    Org admins may invite to any role of their organization; program admins may invite mentees
    and mentors to the programs they administer.
    """
    request = invitation_check(
        actor=actor,
        organization=organization,
        email=email,
        program=program,
        program_role=program_role,
        org_role=org_role,
        display_name=display_name,
    )
    return _invitation_write(actor=actor, request=request)


@transaction.atomic
def invitation_first_admin(
    *, organization: Organization, email: str, display_name: str = ""
) -> Invitation:
    """Invite the first admin of a new organization, on behalf of MentorHaven itself (the
    operator's command or the first-run page: nobody is signed in to invite them). The same
    invitation as any other: a token shown only in the e-mail, sent after commit."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(_("This is not a valid e-mail address."), code="bad_email") from exc
    request = InvitationRequest(
        organization=organization,
        email=email,
        program=None,
        program_role="",
        org_role=OrgMembership.Role.ORG_ADMIN,
        display_name=(display_name or "").strip()[:150],
    )
    return _invitation_write(actor=None, request=request)


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    role: str
    program_slug: str = ""
    display_name: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class ImportRejected(ValidationFailed):
    """At least one row is wrong: nothing was created. ``errors`` lists every bad row."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            _("Nothing was imported: %(count)d row(s) need fixing.") % {"count": len(errors)},
            code="import_rejected",
            extra={"errors": [{"line": e.line, "message": e.message} for e in errors]},
        )


def _row_request(
    *,
    actor: User,
    scope: InviteScope,
    programs: dict[str, Program],
    row: ImportRow,
    default_program: Program | None,
) -> InvitationRequest:
    role = row.role.strip().lower()
    program_role: str
    org_role: str
    if role in Membership.Role.values:
        program_role, org_role = role, OrgMembership.Role.MEMBER
    elif role in OrgMembership.Role.values:
        program_role, org_role = "", role
    else:
        raise ValidationFailed(_("Unknown role “%(role)s”.") % {"role": row.role[:40]})
    program: Program | None = None
    if program_role:
        if row.program_slug:
            # Programs of other organizations are "unknown" too: no cross-tenant probing.
            program = programs.get(row.program_slug.strip())
            if program is None:
                raise ValidationFailed(
                    _("Unknown program “%(slug)s”.") % {"slug": row.program_slug[:80]}
                )
        elif default_program is not None:
            program = default_program
        else:
            raise ValidationFailed(_("This role needs a program slug."))
    return invitation_check(
        actor=actor,
        organization=scope.organization,
        email=row.email,
        program=program,
        program_role=program_role,
        org_role=org_role,
        display_name=row.display_name,
        scope=scope,
    )


@transaction.atomic
def invitations_import(
    *,
    actor: User,
    organization: Organization,
    rows: list[ImportRow],
    default_program: Program | None = None,
) -> list[Invitation]:
    """Create one invitation per row — all of them, or (if any row is wrong) none.

    Every row is checked first and every problem reported with its line; only a clean file
    writes, inside one transaction, so a failure half-way rolls everything (and every e-mail,
    which is sent on commit) back.
    """
    scope = invite_scope(actor, organization)
    if scope is None:
        raise NotFound()
    programs = {p.slug: p for p in organization.programs.select_related("organization")}
    errors: list[RowError] = []
    requests: list[InvitationRequest] = []
    seen: dict[str, int] = {}
    for row in rows:
        email = row.email.strip().lower()
        if email and email in seen:
            errors.append(
                RowError(row.line, _("Duplicate of line %(line)d.") % {"line": seen[email]})
            )
            continue
        if email:
            seen[email] = row.line
        try:
            requests.append(
                _row_request(
                    actor=actor,
                    scope=scope,
                    programs=programs,
                    row=row,
                    default_program=default_program,
                )
            )
        except NotFound:
            errors.append(RowError(row.line, _("You may not invite to this program.")))
        except ApplicationError as exc:
            errors.append(RowError(row.line, exc.message))
    if not rows:
        errors.append(RowError(0, _("The file holds no rows.")))
    if errors:
        raise ImportRejected(errors)
    return [_invitation_write(actor=actor, request=request) for request in requests]


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Make a pending invitation unusable. The caller has checked access (access_invitation)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(
            action="invitation.revoke",
            actor=actor,
            target=invitation,
            purpose="withdraw an invitation",
            category=AUDIT_CATEGORY_PROGRAM,
            organization=invitation.organization_id,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, actor: User, invitation: Invitation) -> Invitation:
    """Grant what the invitation promises to ``actor``, once.

    The row is locked, so two simultaneous acceptances cannot both succeed; the address must
    be the one invited.
    """
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "program__organization")
        .filter(pk=invitation.pk)
        .first()
    )
    if locked is None or not locked.is_usable:
        raise NotFound(_("This invitation link is not valid any more."))
    if locked.email.lower() != actor.email.lower():
        raise NotFound(_("This invitation link is not valid any more."))
    org_role_grant(actor=actor, organization=locked.organization, user=actor, role=locked.org_role)
    if locked.program is not None and locked.program_role:
        membership_grant(actor=actor, program=locked.program, user=actor, role=locked.program_role)
    locked.accepted_at = timezone.now()
    locked.accepted_by = actor
    locked.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        action="invitation.accept",
        actor=actor,
        target=locked,
        subject=actor,
        purpose="join a program by invitation",
        category=AUDIT_CATEGORY_PROGRAM,
        organization=locked.organization_id,
        extra={"program_role": locked.program_role, "org_role": locked.org_role},
    )
    return locked
