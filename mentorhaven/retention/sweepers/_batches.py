"""Helpers the sweepers share: chunking id lists and walking a queryset in key order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

ID_CHUNK = 500  # ids per IN (...) list


def chunks(ids: Iterable[int], size: int = ID_CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def in_batches(
    rows: QuerySet[Any], batch_size: int, delete: Callable[[list[int]], int]
) -> Iterator[int]:
    """Walk ``rows`` by primary key, ``batch_size`` at a time, handing each batch's keys to
    ``delete`` (one transaction per call) and yielding what it removed. Keyset pagination: each
    batch is an index range scan, however many rows earlier batches already removed."""
    last = 0
    while True:
        pks = list(
            rows.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not pks:
            return
        last = pks[-1]
        yield delete(pks)
