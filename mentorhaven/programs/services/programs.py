"""Organizations, programs, roles and memberships."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, ValidationFailed
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.programs import domain
from mentorhaven.programs.access import administered_organizations, org_admin_programs
from mentorhaven.programs.models import (
    Membership,
    Organization,
    OrgMembership,
    Program,
)
from mentorhaven.retention.services import retention_policy_set

AUDIT_CATEGORY_PROGRAM = "program"
MAX_NAME_CHARS = 200
MAX_SLUG_CHARS = 80


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Give it a name."), code="name_required")
    if len(name) > MAX_NAME_CHARS:
        raise ValidationFailed(_("The name is too long."), code="name_too_long")
    return name


def _clean_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    try:
        validate_slug(slug)
    except Exception as exc:  # Django's ValidationError: one message for every bad slug
        raise ValidationFailed(
            _("The address may hold only letters, digits, hyphens and underscores."),
            code="bad_slug",
        ) from exc
    if len(slug) > MAX_SLUG_CHARS:
        raise ValidationFailed(_("The address is too long."), code="slug_too_long")
    return slug


@transaction.atomic
def organization_create(*, actor: User | None, name: str, slug: str) -> Organization:
    """A new organization (tenant). ``actor=None`` is MentorHaven itself: the set-up command and
    the first-run page, which have no signed-in person yet. Its slug must be free."""
    name, slug = _clean_name(name), _clean_slug(slug)
    taken = Conflict(_("An organization with this address already exists."), code="slug_taken")
    if Organization.objects.filter(slug=slug).exists():
        raise taken
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name, slug=slug)
    except IntegrityError as exc:  # created meanwhile by another request
        raise taken from exc
    audit.record(
        action="organization.create",
        actor=actor,
        target=organization,
        purpose="set up an organization",
        category=AUDIT_CATEGORY_PROGRAM,
        organization=organization,
    )
    return organization


@transaction.atomic
def program_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    slug: str,
    kind: str = Program.Kind.ONE_TO_ONE,
    **fields: Any,
) -> Program:
    """A new program of ``organization``. A person must administer the organization (else
    NotFound); ``actor=None`` is MentorHaven itself (the demo loader)."""
    if actor is not None and not administered_organizations(actor).filter(pk=organization.pk):
        raise NotFound()
    name, slug = _clean_name(name), _clean_slug(slug)
    if kind not in Program.Kind.values:
        raise ValidationFailed(_("Unknown kind of program."), code="bad_kind")
    taken = Conflict(_("A program with this address already exists."), code="slug_taken")
    if Program.objects.filter(slug=slug).exists():
        raise taken
    try:
        with transaction.atomic():
            program = Program.objects.create(
                organization=organization, name=name, slug=slug, kind=kind, **fields
            )
    except IntegrityError as exc:
        raise taken from exc
    audit.record(
        action="program.create",
        actor=actor,
        actor_role="org_admin" if actor is not None else "",
        target=program,
        purpose="set up a program",
        category=AUDIT_CATEGORY_PROGRAM,
        organization=organization,
    )
    return program


# What ``program_update`` accepts: model fields, then keys of ``Program.settings``.
PROGRAM_FIELDS = ("name", "description", "starts_on", "ends_on", "kind")
PROGRAM_SETTINGS = (
    "confidentiality_agreement",
    "matching_mode",
    *domain.INTEGER_SETTINGS,
)


def _checked_setting(key: str, value: Any) -> Any:
    if value is None:
        return None  # back to the default
    if key == "confidentiality_agreement":
        text = str(value).strip()
        if len(text) > domain.MAX_AGREEMENT_CHARS:
            raise ValidationFailed(_("The agreement is too long."), code="agreement_too_long")
        return text or None
    if key == "matching_mode":
        if value not in domain.MATCHING_MODES:
            raise ValidationFailed(_("Unknown matching mode."), code="bad_matching_mode")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Give a whole number."), code="bad_number")
    try:
        return domain.check_integer(key, value)
    except domain.OutOfBounds as exc:
        raise ValidationFailed(
            _("%(key)s must be between %(low)d and %(high)d.")
            % {"key": key, "low": exc.bound.low, "high": exc.bound.high},
            code="out_of_bounds",
            extra={"field": key},
        ) from exc


def _checked_field(key: str, value: Any) -> Any:
    if key == "name":
        return _clean_name(value)
    if key == "description":
        text = str(value or "").strip()
        if len(text) > domain.MAX_DESCRIPTION_CHARS:
            raise ValidationFailed(_("The description is too long."), code="description_too_long")
        return text
    if key == "kind":
        if value not in Program.Kind.values:
            raise ValidationFailed(_("Unknown kind of program."), code="bad_kind")
        return value
    if value is not None and not isinstance(value, date):
        raise ValidationFailed(_("Give a date."), code="bad_date")
    return value


@transaction.atomic
def program_update(
    *,
    actor: User,
    program: Program,
    changes: dict[str, Any],
    retention: dict[str, int] | None = None,
) -> Program:
    """Change a program's details and settings (only the keys in ``changes``; ``None`` puts a
    setting back to its default), and its retention periods (``retention``: kind of record ->
    days, within each kind's bounds, through the retention app's own service and audit event).
    Only its organization's admins (the caller accessed it with
    ``access_program_setup(write=True)``); an archived program can no longer change."""
    program = Program.objects.select_for_update().select_related("organization").get(pk=program.pk)
    if not org_admin_programs(actor).filter(pk=program.pk).exists():
        raise NotFound()
    if program.archived_at is not None:
        raise Conflict(_("This program is archived: it can no longer be changed."), code="archived")
    unknown = set(changes) - {*PROGRAM_FIELDS, *PROGRAM_SETTINGS}
    if unknown:
        raise ValidationFailed(_("Some of the data was not valid."), code="unknown_field")
    settings = dict(program.settings or {})
    for key, value in changes.items():
        if key in PROGRAM_FIELDS:
            setattr(program, key, _checked_field(key, value))
        else:
            checked = _checked_setting(key, value)
            if checked is None:
                settings.pop(key, None)
            else:
                settings[key] = checked
    if program.starts_on and program.ends_on and program.ends_on < program.starts_on:
        raise ValidationFailed(_("The program cannot end before it starts."), code="dates_order")
    program.settings = settings
    program.save()
    for kind, days in (retention or {}).items():
        retention_policy_set(
            actor=actor,
            organization_id=program.organization.public_id,
            kind=kind,
            days=days,
            program=program,
        )
    audit.record(
        action="program.update",
        actor=actor,
        actor_role="org_admin",
        target=program,
        purpose="change a program's settings",
        category=AUDIT_CATEGORY_PROGRAM,
        organization=program.organization_id,
        extra={"changed": len(changes)},
    )
    return program


@transaction.atomic
def program_archive(*, actor: User, program: Program) -> Program:
    """Close a program for good: it stays readable for its records (and their retention) but
    nothing about it changes any more. Only its organization's admins; archiving twice is
    harmless."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if not org_admin_programs(actor).filter(pk=program.pk).exists():
        raise NotFound()
    if program.archived_at is None:
        program.archived_at = timezone.now()
        program.save(update_fields=["archived_at"])
        audit.record(
            action="program.archive",
            actor=actor,
            actor_role="org_admin",
            target=program,
            purpose="archive a program",
            category=AUDIT_CATEGORY_PROGRAM,
            organization=program.organization_id,
        )
    return program


@transaction.atomic
def org_role_grant(
    *, actor: User | None, organization: Organization, user: User, role: str
) -> OrgMembership:
    """Give ``user`` a role in ``organization``; every member also holds the plain member role."""
    OrgMembership.objects.get_or_create(
        organization=organization, user=user, role=OrgMembership.Role.MEMBER
    )
    membership, _ = OrgMembership.objects.get_or_create(
        organization=organization, user=user, role=role
    )
    return membership


@transaction.atomic
def membership_grant(*, actor: User | None, program: Program, user: User, role: str) -> Membership:
    """Add ``user`` to ``program`` in ``role`` (idempotent). Joins the organization too."""
    org_role_grant(
        actor=actor, organization=program.organization, user=user, role=OrgMembership.Role.MEMBER
    )
    membership, created = Membership.objects.get_or_create(program=program, user=user, role=role)
    if created:
        suggestions_mark_stale(program=program)
    return membership
