"""Helpers the sweepers share: chunking id lists and walking a queryset in key order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

ID_CHUNK = 500  # ids per IN (...) list


def chunks[T](ids: Iterable[T], size: int = ID_CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def in_batches(
    rows: QuerySet[Any], batch_size: int, delete: Callable[[QuerySet[Any]], int]
) -> Iterator[int]:
    """Walk ``rows`` by primary key, ``batch_size`` at a time, handing each batch to ``delete``
    (one transaction per call) as ``rows`` narrowed to a key range, and yielding what it
    removed. Keyset pagination: each batch is an index range scan however many rows earlier
    batches removed, and its statements carry two bounds rather than thousands of keys."""
    last = 0
    while True:
        upper = list(
            rows.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[batch_size - 1 : batch_size]
        )
        if upper:
            batch = rows.filter(pk__gt=last, pk__lte=upper[0])
            last = upper[0]
        else:
            batch = rows.filter(pk__gt=last)
        removed = delete(batch)
        if not upper:
            if removed:
                yield removed
            return
        yield removed
