"""What erasing a person removes from the gates (privacy/erasure/registry.py), as the inventory
says (gates/inventory.py).

- Their agreement acceptances and training completions are deleted: they mattered only while
  the person took part. Their name comes off the agreement versions they published.
- A break-glass grant *about* them stays, as the organization's evidence that emergency access
  happened (who asked and approved, the reason, when, for how long: six years), pointing at the
  anonymized account. A grant still pending or open is closed — there is nothing left to read.
  Its justification and legal-exception reason were written by the admin who asked, about this
  person, under that admin's key: they are replaced by a fixed line, so that no sentence about
  the erased person stays readable. Grants the erased person asked for or decided keep their
  rows; their own writing in them goes with their key (the ``kernel.shred`` step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from mentorhaven.gates.models import (
    AgreementAcceptance,
    AgreementVersion,
    BreakGlassGrant,
    TrainingCompletion,
)
from mentorhaven.kernel import vault
from mentorhaven.privacy.erasure.registry import REMOVE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

ERASED_JUSTIFICATION = "Removed when the person this access was about was erased."


@register("gates.records", order=REMOVE)
def remove_gate_records(user: User) -> dict[str, int]:
    AgreementVersion.objects.filter(published_by=user).update(published_by=None)
    closed = BreakGlassGrant.objects.filter(
        subject=user,
        status__in=(BreakGlassGrant.Status.PENDING, BreakGlassGrant.Status.APPROVED),
    ).update(status=BreakGlassGrant.Status.REVOKED, revoked_at=timezone.now())
    cleared = 0
    grants = BreakGlassGrant.objects.filter(subject=user).select_related("requested_by")
    for grant in grants:
        asker = grant.requested_by
        if asker is None or vault.is_shredded(asker):
            continue  # nobody's key left to read it with: unreadable already
        grant.justification = ERASED_JUSTIFICATION
        grant.legal_exception_reason = ERASED_JUSTIFICATION if grant.legal_exception else None
        grant.save(update_fields=["justification", "legal_exception_reason"])
        cleared += 1
    return {
        "agreement_acceptances": AgreementAcceptance.objects.filter(user=user).delete()[0],
        "training_completions": TrainingCompletion.objects.filter(user=user).delete()[0],
        "break_glass_closed": closed,
        "break_glass_cleared": cleared,
    }
