"""Inactive accounts: a person who has not signed in for the period (default 18 months) is
warned a month ahead (an ``InactivityNotice`` and a content-free e-mail); signing in voids the
notice. Once the period is over the account is handed to the erasure registered by the privacy
app (``registry.register_account_eraser``); without one, accounts are only warned. A person in
several organizations keeps the longest period any of them set. Legal holds keep the account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.functions import Coalesce

from mentorhaven.programs.models import OrgMembership
from mentorhaven.retention import domain
from mentorhaven.retention.models import InactivityNotice
from mentorhaven.retention.registry import Context, Due, account_eraser, register_sweeper
from mentorhaven.retention.sweepers._batches import chunks

KIND = domain.Kind.INACTIVE_ACCOUNTS
NO_ORGANIZATION = 0


def _organizations(user_ids: list[int]) -> dict[int, list[int]]:
    orgs: dict[int, list[int]] = defaultdict(list)
    rows = OrgMembership.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "organization_id"
    )
    for user, org in rows:
        orgs[user].append(org)
    return orgs


def inactive_people(ctx: Context, until: datetime, *, ahead: int = 0) -> Iterator[tuple]:
    """(user id, last seen, days of their period, their first organization id) of active
    accounts unseen for their period less ``ahead`` days by ``until``, holds left out."""
    latest = until - timedelta(days=max(0, ctx.shortest(KIND) - ahead))
    rows = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(seen=Coalesce("last_login", "date_joined"))
        .filter(seen__lte=latest)
        .exclude(pk__in=ctx.held_users)
        .order_by("pk")
        .values_list("pk", "seen")
    )
    for chunk in chunks(rows.iterator()):
        orgs = _organizations([pk for pk, _ in chunk])
        for pk, seen in chunk:
            mine = orgs.get(pk) or [NO_ORGANIZATION]
            days = max(ctx.days(KIND, organization_id=org) for org in mine)
            if seen <= until - timedelta(days=max(0, days - ahead)):
                yield pk, seen, days, mine[0]


def accounts_due(ctx: Context, until: datetime) -> list[Due]:
    counts: dict[int, int] = defaultdict(int)
    for _pk, _seen, _days, org in inactive_people(ctx, until):
        counts[org] += 1
    return [Due(org, n, n) for org, n in sorted(counts.items())]


def accounts_sweep(ctx: Context, batch_size: int) -> Iterator[int]:
    from mentorhaven.retention.services import inactivity_warn

    # Signed in since the warning: the notice no longer holds.
    InactivityNotice.objects.filter(user__last_login__gt=F("sent_at")).delete()
    ahead = domain.RULES[KIND].warn_days_before
    warned = set(InactivityNotice.objects.values_list("user_id", flat=True))
    for pk, seen, days, _org in inactive_people(ctx, ctx.now, ahead=ahead):
        if pk not in warned:
            erase_after = max(seen + timedelta(days=days), ctx.now + timedelta(days=ahead))
            inactivity_warn(user_id=pk, erase_after=erase_after)
    erase = account_eraser()
    if erase is None:
        return
    due = InactivityNotice.objects.filter(erase_after__lte=ctx.now).values_list(
        "user_id", flat=True
    )
    erasable = {pk for pk, *_ in inactive_people(ctx, ctx.now)} & set(due)
    for chunk in chunks(sorted(erasable), batch_size):
        for user in get_user_model().objects.filter(pk__in=chunk):
            erase(user=user)
        yield len(chunk)


register_sweeper(kind=KIND, due=accounts_due, sweep=accounts_sweep)
