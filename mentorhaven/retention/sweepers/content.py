"""Relationship content: messages and session notes, deleted when the relationship ended longer
ago than its program's period (default 24 months), unless a legal hold covers it.

A message or a note is deleted whole, in a batch that commits or not at all; the conversation
goes last, once no message is left in it. A run cut short leaves an expired conversation with
fewer messages, which the next run finishes: nothing is ever left half-deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from mentorhaven.mentoring.models import Note, Relationship
from mentorhaven.messaging.models import Conversation, Message, Report
from mentorhaven.retention import domain
from mentorhaven.retention.registry import Context, Due, register_sweeper
from mentorhaven.retention.sweepers._batches import chunks, in_batches

ENDED = [Relationship.Status.COMPLETED, Relationship.Status.ENDED_EARLY]


def expired_relationships(ctx: Context, kind: str, until: datetime) -> list[tuple[int, int]]:
    """(relationship id, organization id) of ended relationships whose ``kind`` is due by
    ``until`` under their program's policy, legal holds left out."""
    latest_end = until - timedelta(days=ctx.shortest(kind))
    rows = (
        Relationship.objects.filter(status__in=ENDED, ended_at__lte=latest_end)
        .exclude(pk__in=ctx.held_relationships)
        .values_list("pk", "program_id", "program__organization_id", "ended_at")
        .order_by("pk")
    )
    return [
        (pk, org)
        for pk, program, org, ended in rows.iterator()
        if ended is not None
        and ended <= domain.cutoff(until, ctx.days(kind, organization_id=org, program_id=program))
    ]


def _due(ctx: Context, until: datetime, kind: str, model, path: str) -> list[Due]:
    found = expired_relationships(ctx, kind, until)
    org_of = dict(found)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for chunk in chunks(org_of):
        rows = (
            model.objects.filter(**{f"{path}__in": chunk})
            .values(path)
            .annotate(n=Count("pk"))
            .values_list(path, "n")
        )
        for relationship, n in rows:
            counts[org_of[relationship]][0] += n
            counts[org_of[relationship]][1] += 1
    return [Due(org, n, people) for org, (n, people) in sorted(counts.items())]


# --- messages ----------------------------------------------------------------------------------


@transaction.atomic
def delete_messages(batch: QuerySet[Message]) -> int:
    """One batch of messages, whole or not at all. The only reference to a message is a safety
    report's, which keeps its own encrypted copy (``Report.evidence``) and lets go of the row
    here, as its ``SET_NULL`` would. Then one DELETE statement: Django's collector loads every
    row and deletes 100 at a time, which swept 1,389 messages/s in benchmarks/bench_retention.py
    (1,000,000 in 12 minutes against a 2-minute goal)."""
    Report.objects.filter(message__in=batch).update(message=None)
    return batch._raw_delete(batch.db)


@transaction.atomic
def delete_empty_conversations(pks: list[int]) -> int:
    """The conversations among ``pks`` that hold no message any more (their members and read
    marks go with them); one with a message left is kept, so a half-swept one is finished by
    the next run."""
    empty = Conversation.objects.filter(pk__in=pks).exclude(
        Exists(Message.objects.filter(conversation_id=OuterRef("pk")))
    )
    deleted, _ = empty.delete()
    return deleted


def messages_due(ctx: Context, until: datetime) -> list[Due]:
    return _due(ctx, until, domain.Kind.MESSAGES, Message, "conversation__relationship_id")


def messages_sweep(ctx: Context, batch_size: int) -> Iterator[int]:
    expired = [pk for pk, _ in expired_relationships(ctx, domain.Kind.MESSAGES, ctx.now)]
    for chunk in chunks(expired):
        conversations = list(
            Conversation.objects.filter(
                kind=Conversation.Kind.RELATIONSHIP, relationship_id__in=chunk
            ).values_list("pk", flat=True)
        )
        if not conversations:
            continue
        rows = Message.objects.filter(conversation_id__in=conversations)
        yield from in_batches(rows, batch_size, delete_messages)
        delete_empty_conversations(conversations)


register_sweeper(kind=domain.Kind.MESSAGES, due=messages_due, sweep=messages_sweep)


# --- notes -------------------------------------------------------------------------------------


@transaction.atomic
def delete_notes(batch: QuerySet[Note]) -> int:
    deleted, _ = batch.delete()
    return deleted


def notes_due(ctx: Context, until: datetime) -> list[Due]:
    return _due(ctx, until, domain.Kind.NOTES, Note, "relationship_id")


def notes_sweep(ctx: Context, batch_size: int) -> Iterator[int]:
    expired = [pk for pk, _ in expired_relationships(ctx, domain.Kind.NOTES, ctx.now)]
    for chunk in chunks(expired):
        yield from in_batches(
            Note.objects.filter(relationship_id__in=chunk), batch_size, delete_notes
        )


register_sweeper(kind=domain.Kind.NOTES, due=notes_due, sweep=notes_sweep)
