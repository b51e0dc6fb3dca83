"""Share links: deleted (with their visit log) once they expired or were revoked longer ago than
the organization's period — by default at once. A legal hold on the person who made the link, on
the file's uploader or on the file's relationship keeps it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Least

from mentorhaven.files.models import ShareLink
from mentorhaven.retention import domain
from mentorhaven.retention.registry import Context, Due, register_sweeper

KIND = domain.Kind.SHARE_LINKS
NO_ORGANIZATION = 0  # a file not yet shared in a relationship: the default period applies


def _candidates(ctx: Context, until: datetime):
    latest = until - timedelta(days=ctx.shortest(KIND))
    return (
        ShareLink.objects.annotate(
            over_at=Least("expires_at", Coalesce("revoked_at", "expires_at"))
        )
        .filter(Q(expires_at__lte=latest) | Q(revoked_at__lte=latest))
        .exclude(created_by_id__in=ctx.held_users)
        .exclude(file__uploader_id__in=ctx.held_users)
        .exclude(file__relationship_id__in=ctx.held_relationships)
    )


def _due_rows(ctx: Context, until: datetime) -> Iterator[tuple[int, int]]:
    """(link id, organization id) of links due by ``until``."""
    rows = _candidates(ctx, until).values_list(
        "pk",
        "over_at",
        "file__relationship__program_id",
        "file__relationship__program__organization_id",
    )
    for pk, over_at, program, org in rows.order_by("pk").iterator():
        org = org or NO_ORGANIZATION
        if over_at <= domain.cutoff(until, ctx.days(KIND, organization_id=org, program_id=program)):
            yield pk, org


def share_links_due(ctx: Context, until: datetime) -> list[Due]:
    counts: dict[int, int] = defaultdict(int)
    for _pk, org in _due_rows(ctx, until):
        counts[org] += 1
    return [Due(org, n) for org, n in sorted(counts.items())]


@transaction.atomic
def delete_share_links(pks: list[int]) -> int:
    deleted = ShareLink.objects.filter(pk__in=pks).count()
    ShareLink.objects.filter(pk__in=pks).delete()
    return deleted


def share_links_sweep(ctx: Context, batch_size: int) -> Iterator[int]:
    batch: list[int] = []
    for pk, _org in list(_due_rows(ctx, ctx.now)):
        batch.append(pk)
        if len(batch) == batch_size:
            yield delete_share_links(batch)
            batch = []
    if batch:
        yield delete_share_links(batch)


register_sweeper(kind=KIND, due=share_links_due, sweep=share_links_sweep)
