"""Shared files: the files of a relationship's shared space — and those attached to its messages —
deleted when the relationship ended longer ago than its program's period (default 24 months,
like its messages), unless a legal hold covers the relationship or the uploader.

A file is its row *and* its sealed blob on disk. In each batch's transaction the rows are locked,
their blobs removed, then the rows deleted (their share links and visit logs with them). Killed
after a blob went but before the commit, the row is still there and the next run removes it
(removing a blob already gone is a no-op); the reverse order could leave a blob on disk with no
row to find it by, which no later run would ever delete.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from mentorhaven.files.content import file_store
from mentorhaven.files.models import StoredFile
from mentorhaven.messaging.models import Message
from mentorhaven.retention import domain
from mentorhaven.retention.registry import Context, Due, register_sweeper
from mentorhaven.retention.sweepers._batches import chunks, in_batches
from mentorhaven.retention.sweepers.content import expired_relationships

KIND = domain.Kind.FILES


def _files_of(relationship_ids: list[int], held_users: set[int]) -> QuerySet[StoredFile]:
    """Files of these relationships: in their shared space, or attached to one of the messages
    of their conversations. A held uploader keeps theirs."""
    attached = Message.objects.filter(conversation__relationship_id__in=relationship_ids).values(
        "public_id"
    )
    return StoredFile.objects.filter(
        Q(relationship_id__in=relationship_ids) | Q(message_ref__in=attached)
    ).exclude(uploader_id__in=held_users)


def files_due(ctx: Context, until: datetime) -> list[Due]:
    org_of = dict(expired_relationships(ctx, KIND, until))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for chunk in chunks(org_of):
        rows = (
            _files_of(chunk, ctx.held_users)
            .filter(relationship_id__isnull=False)
            .values("relationship_id")
            .annotate(n=Count("pk"))
            .values_list("relationship_id", "n")
        )
        for relationship, n in rows:
            counts[org_of[relationship]][0] += n
            counts[org_of[relationship]][1] += 1
    return [Due(org, n, relationships) for org, (n, relationships) in sorted(counts.items())]


@transaction.atomic
def delete_files(batch: QuerySet[StoredFile]) -> int:
    """One batch: rows locked, blobs removed, rows deleted (see the module's docstring)."""
    store = file_store()
    found = list(batch.select_for_update().values_list("pk", "storage_name"))
    for _pk, name in found:
        if name:
            store.delete(name)
    StoredFile.objects.filter(pk__in=[pk for pk, _name in found]).delete()
    return len(found)


def files_sweep(ctx: Context, batch_size: int) -> Iterator[int]:
    expired = [pk for pk, _org in expired_relationships(ctx, KIND, ctx.now)]
    for chunk in chunks(expired):
        yield from in_batches(_files_of(chunk, ctx.held_users), batch_size, delete_files)


register_sweeper(kind=KIND, due=files_due, sweep=files_sweep)
