"""Pairs an admin keeps apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.matching.models import (
    Exclusion,
    ParticipantRole,
)
from mentorhaven.matching.services._common import _audit, _require_admin
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.programs.models import Membership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@transaction.atomic
def exclusion_add(*, actor: User, program: Program, person, other, kind: str) -> Exclusion:
    """ "Not this person" is added by the participant for themself; a manager pair by an
    admin. Either way the two are never matched in this program, in either direction."""
    if kind == Exclusion.Kind.MANAGER:
        _require_admin(actor, program)
    elif kind == Exclusion.Kind.NOT_THIS_PERSON:
        if actor.pk != person.pk:
            raise PermissionDenied()
    else:
        raise ValidationFailed(_("Choose the kind of exclusion."), code="bad_kind")
    if person.pk == other.pk:
        raise ValidationFailed(_("Choose someone else."), code="same_person")
    for user in (person, other):
        if not Membership.objects.filter(
            program=program, user=user, role__in=ParticipantRole.values
        ).exists():
            raise ValidationFailed(
                _("Both people must take part in the program."), code="not_a_member"
            )
    exclusion, _created = Exclusion.objects.get_or_create(
        program=program, person=person, other=other, kind=kind, defaults={"created_by": actor}
    )
    suggestions_mark_stale(program=program)
    _audit(
        "matching.exclusion_add",
        actor=actor,
        program=program,
        target=exclusion,
        subject=person,
        purpose="Keep two people from being matched",
        extra={"kind": kind},
    )
    return exclusion


@transaction.atomic
def exclusion_remove(*, actor: User, exclusion: Exclusion) -> None:
    program = exclusion.program
    if exclusion.kind == Exclusion.Kind.MANAGER:
        _require_admin(actor, program)
    elif actor.pk != exclusion.person_id:
        raise PermissionDenied()
    public_id, person = exclusion.public_id, exclusion.person
    exclusion.delete()
    suggestions_mark_stale(program=program)
    _audit(
        "matching.exclusion_remove",
        actor=actor,
        program=program,
        target=("matching.exclusion", public_id),
        subject=person,
        purpose="Keep two people from being matched",
    )
