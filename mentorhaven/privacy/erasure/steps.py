"""The privacy kernel's own erasure steps: keep the safeguarding evidence, then shred.

Registered like every app's (``registry.py``). The order matters: the evidence of an open safety
report is re-sealed under a case key while it is still readable; then the person's data key and
audit pseudonym secret are destroyed, so everything encrypted under them — in the database, its
replicas and its backups — is unreadable at once, and no audit event can be linked to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mentorhaven.kernel import vault
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.privacy.erasure.registry import PRESERVE, SHRED, register
from mentorhaven.privacy.erasure.safeguarding import case_preserve

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("privacy.safeguarding", order=PRESERVE)
def preserve_safeguarding_evidence(user: User) -> dict[str, int]:
    from mentorhaven.messaging.models import Report

    # Every case not yet closed (open, triaged or actioned) keeps its evidence.
    reports = (
        Report.objects.filter(Q(reporter=user) | Q(reported_user=user))
        .exclude(status=Report.Status.CLOSED)
        .select_related("program", "reporter", "reported_user")
    )
    kept = sum(case_preserve(report=report) is not None for report in reports)
    return {"cases": kept}


@register("kernel.shred", order=SHRED)
def shred_keys(user: User) -> dict[str, int]:
    vault.shred_subject(user)
    vault.forget_cached_keys(user)
    suggestions_mark_stale(program=None)  # their answers no longer read
    return {"keys": 1}
