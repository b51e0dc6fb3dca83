"""The privacy app's part in retention (retention/registry.py): an inactive account whose
period is over is erased by the same job as a person's own request, and export archives are
deleted once the "exports" period their organizations chose is over. The hourly job
(``schedules.py``) and the daily sweep use the same rule (``services.exports_due``); the sweep
passes the periods it read, and its forecast shows them on the retention page.

Legal holds do not keep export archives: an archive is a copy made for the person, and a hold
keeps the originals it covers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from functools import partial

from mentorhaven.privacy.erasure.services import erase_inactive_account
from mentorhaven.privacy.services import expire_exports, exports_due
from mentorhaven.programs.models import OrgMembership
from mentorhaven.retention.domain import Kind
from mentorhaven.retention.registry import (
    Context,
    Due,
    register_account_eraser,
    register_sweeper,
)

register_account_eraser(erase_inactive_account)


def _days(ctx: Context, organization_id: int) -> int:
    return ctx.days(Kind.EXPORTS, organization_id=organization_id)


def archives_due(ctx: Context, until: datetime) -> list[Due]:
    """Archives due by ``until``, counted for each organization their person belongs to."""
    due = exports_due(until=until, days_of_organization=partial(_days, ctx))
    people = {user for _pk, user in due}
    orgs: dict[int, list[int]] = defaultdict(list)
    for user, org in (
        OrgMembership.objects.filter(user_id__in=people)
        .values_list("user_id", "organization_id")
        .distinct()
    ):
        orgs[user].append(org)
    counts: dict[int, int] = defaultdict(int)
    for _pk, user in due:
        for org in orgs.get(user, [0]):
            counts[org] += 1
    return [Due(org, n) for org, n in sorted(counts.items())]


def archives_sweep(ctx: Context, batch_size: int) -> Iterator[int]:
    # Each archive is expired in a transaction of its own (``expire_exports``).
    yield expire_exports(now=ctx.now, days_of_organization=partial(_days, ctx))


register_sweeper(kind=Kind.EXPORTS, due=archives_due, sweep=archives_sweep)
