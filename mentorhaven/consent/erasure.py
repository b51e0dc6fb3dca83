"""What erasing a person removes from the consent app (privacy/erasure/registry.py), as the
inventory says (consent/inventory.py): their consent records, data-protection requests,
restrictions and data-protection roles are deleted; where they handled someone else's request,
lifted a restriction or appointed an officer, their name is taken off (the row stays, it is the
other person's).

The proof of consent and of answered requests outlives the rows in the audit log: each choice
and each request left an event there, about a keyed pseudonym whose secret the erasure destroys
— accountability that no longer points at anybody. Consent records are append-only for the
application (a trigger refuses UPDATE), and deleting them stays possible for exactly this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentorhaven.consent.models import (
    ConsentRecord,
    DataProtectionOfficer,
    DataRequest,
    Restriction,
)
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.privacy.erasure.registry import REMOVE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("consent.records", order=REMOVE)
def remove_consent_records(user: User) -> dict[str, int]:
    DataRequest.objects.filter(handled_by=user).update(handled_by=None)
    Restriction.objects.filter(lifted_by=user).update(lifted_by=None)
    DataProtectionOfficer.objects.filter(appointed_by=user).update(appointed_by=None)
    removed = {
        "consent_records": ConsentRecord.objects.filter(user=user).delete()[0],
        "restrictions": Restriction.objects.filter(user=user).delete()[0],
        "data_requests": DataRequest.objects.filter(requester=user).delete()[0],
        "data_protection_roles": DataProtectionOfficer.objects.filter(user=user).delete()[0],
    }
    suggestions_mark_stale(program=None)
    return removed
