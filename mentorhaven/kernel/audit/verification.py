"""``verify``: recompute the chain, check every checkpoint, and compare with the anchor store.

Names the first thing that does not check out: a missing or duplicated sequence number, a row
whose stored hash does not match its content, a row whose recorded predecessor is not the row
before it, a head that differs from its signed checkpoint or its anchor (the chain was rewritten
and its hashes recomputed), a log that ends before its newest checkpoint or anchor (events cut
from the end), or a checkpoint the anchor store knows that the database lost. Events after the
last checkpoint can only be checked for consistency; that is why the sealer signs often.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from mentorhaven.kernel.audit import anchors, checkpoints, keys
from mentorhaven.kernel.audit.chain import GENESIS, line_sql
from mentorhaven.kernel.audit.render import chain_checks_out_fast
from mentorhaven.kernel.audit.sealing import seal
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent

# ``verify`` warns about events still pending after this long: nothing is sealing them.
PENDING_GRACE_SECONDS = 60


@dataclass
class VerifyResult:
    ok: bool
    count: int
    checkpoints: int
    bad_seq: int | None = None
    reason: str = ""
    stale_pending: int = 0  # events still unsealed PENDING_GRACE_SECONDS after they were written
    anchors: int = 0
    warnings: list[str] = field(default_factory=list)


def _pin_text_settings() -> None:
    """Render timestamps the way ``line_time`` does, whatever the session's settings."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL TimeZone = 'UTC'")
            cursor.execute("SET LOCAL DateStyle = 'ISO'")


def _chunks(batch: int, upto: int | None = None) -> Iterator[list[tuple[int, str, str]]]:
    """(seq, hash, canonical line) in order, ``batch`` rows at a time (the row-by-row path).

    On PostgreSQL a server-side cursor streams the rows, and the next batch is fetched in a
    helper thread while this one is hashed.
    """
    with connection.chunked_cursor() as cursor:
        cursor.execute(line_sql(upto))
        with ThreadPoolExecutor(max_workers=1) as prefetch:
            pending = prefetch.submit(cursor.fetchmany, batch)
            while rows := pending.result():
                pending = prefetch.submit(cursor.fetchmany, batch)
                yield rows


class _Heads:
    """The heads the chain must match: seq → hash, from the database's checkpoints and the
    anchor store, and which of them the anchor store holds."""

    def __init__(self, cps: list[AuditCheckpoint], store: list[anchors.Anchor]) -> None:
        self.hashes = {cp.seq: cp.hash for cp in cps}
        self.anchored = {a.seq for a in store}
        self.hashes.update({a.seq: a.hash for a in store})


def _signature_problem(
    cps: list[AuditCheckpoint], store: list[anchors.Anchor], ring: keys.KeyRing
) -> tuple[int, str] | None:
    """(seq, why) for the first checkpoint whose signature is not valid, or the first anchor
    that is not valid or contradicts the database's checkpoints."""
    for cp in cps:
        if not keys.signature_valid(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature, ring):
            return cp.seq, "checkpoint signature is not valid"
    return _anchor_problem(cps, store, ring)


def _anchor_problem(
    cps: list[AuditCheckpoint], store: list[anchors.Anchor], ring: keys.KeyRing
) -> tuple[int, str] | None:
    """(seq, why) when the anchor store contradicts itself or the database's checkpoints.

    An anchor identical to a database checkpoint whose signature was just checked needs no
    second check (an Ed25519 verification costs as much as hashing a few hundred events)."""
    by_seq = {cp.seq: cp for cp in cps}
    checked = {anchors.Anchor.of(cp) for cp in cps}
    seen: dict[int, str] = {}
    for anchor in store:
        if anchor not in checked and not anchor.signature_valid(ring):
            return anchor.seq, "anchored checkpoint's signature is not valid"
        if seen.setdefault(anchor.seq, anchor.hash) != anchor.hash:
            return anchor.seq, "is anchored twice with different hashes"
        cp = by_seq.get(anchor.seq)
        if cp is not None and cp.hash != anchor.hash:
            return anchor.seq, "signed checkpoint in the database differs from its anchor"
    return None


def verify(*, batch: int = 20000, seal_first: bool = True) -> VerifyResult:
    """Recompute the whole chain and check it against every checkpoint and anchor.

    Pending events are sealed first (``seal_first``); the sealed chain is then checked up to its
    head at that moment. Events still pending after ``PENDING_GRACE_SECONDS`` are counted in
    ``stale_pending``; an anchor store that has not moved for longer than the checkpoint policy
    while newer events exist is a warning.
    """
    ring = keys.key_ring()
    if seal_first:
        seal()
    cps = list(AuditCheckpoint.objects.order_by("seq"))
    store, unreadable = anchors.read_store()
    n, a = len(cps), len({x.seq for x in store})
    heads = _Heads(cps, store)  # what the chain must match; whether it may be trusted is below
    problems: list[tuple[int, str] | None] = []

    def check_signatures() -> None:
        problems.append(_signature_problem(cps, store, ring))

    with transaction.atomic():  # a server-side cursor lives inside a transaction
        _pin_text_settings()
        upto = AuditEvent.objects.aggregate(upto=models.Max("seq"))["upto"] or 0
        # PostgreSQL: the signatures are checked while the server hashes the first chunks.
        fast = (
            connection.vendor == "postgresql"
            and upto
            and chain_checks_out_fast(batch, upto, heads.hashes, meanwhile=check_signatures)
        )
        if not problems:
            check_signatures()
        if problems[0] is not None:
            return VerifyResult(False, 0, n, problems[0][0], problems[0][1], anchors=a)
        if fast:
            count, bad, reason = upto, None, ""
        else:
            count, bad, reason = _check_chain(_chunks(batch, upto), heads)
    stale = AuditEvent.objects.filter(
        seq__isnull=True,
        occurred_at__lt=timezone.now() - timedelta(seconds=PENDING_GRACE_SECONDS),
    ).count()
    result = VerifyResult(bad is None, count, n, bad, reason, stale, a)
    if unreadable:
        result.warnings.append(
            f"the anchor store has unreadable lines ({', '.join(map(str, unreadable))}): a write "
            "torn by a crash, or tampering; the anchors on them were not compared"
        )
    if bad is not None:
        return result
    return _check_ends(result, cps, store, upto)


def _check_ends(
    result: VerifyResult, cps: list[AuditCheckpoint], store: list[anchors.Anchor], upto: int
) -> VerifyResult:
    """The chain reaches every checkpoint and anchor; the anchor store is fresh enough."""
    count = result.count
    newest_anchor = max(store, key=lambda x: x.seq, default=None)
    if newest_anchor is not None and newest_anchor.seq > count:
        result.ok, result.bad_seq = False, count + 1
        result.reason = (
            f"event is missing: the log ends at {count}, before anchored checkpoint "
            f"{newest_anchor.seq} (events cut from the end)"
        )
        return result
    if cps and cps[-1].seq > count:
        result.ok, result.bad_seq = False, count + 1
        result.reason = (
            f"event is missing: the log ends before signed checkpoint {cps[-1].seq} "
            "(tail truncated)"
        )
        return result
    in_db = {cp.seq for cp in cps}
    lost = sorted({x.seq for x in store} - in_db)
    if lost:
        result.ok, result.bad_seq = False, lost[0]
        result.reason = "signed checkpoint is in the anchor store but missing from the database"
        return result
    # Stale: an event past the newest anchor has waited longer than the checkpoint policy.
    seconds = getattr(settings, "AUDIT_CHECKPOINT_SECONDS", checkpoints.CHECKPOINT_SECONDS)
    anchored = newest_anchor.seq if newest_anchor else 0
    waiting = AuditEvent.objects.filter(seq=anchored + 1).values_list("occurred_at", flat=True)
    since = waiting.first() if upto > anchored else None
    if since is not None and timezone.now() - since > timedelta(
        seconds=seconds + PENDING_GRACE_SECONDS
    ):
        result.warnings.append(
            f"the newest anchor (event {anchored}) is older than the checkpoint policy "
            f"({seconds} s) while {upto - anchored} newer event(s) exist: is the audit sealer "
            "running, and can it write the anchor store?"
        )
    return result


def _check_chain(
    chunks: Iterable[list[tuple[int, str, str]]], heads: _Heads
) -> tuple[int, int | None, str]:
    """(events that check out, first bad sequence number or None, why). The hot loop of verify."""
    expected, prev, before_prev = 1, GENESIS, GENESIS
    for chunk in chunks:
        bad = _first_bad(chunk, expected, prev, before_prev, heads)
        if bad is not None:
            return bad
        expected += len(chunk)
        before_prev = chunk[-2][1] if len(chunk) > 1 else prev
        prev = chunk[-1][1]
    return expected - 1, None, ""


def _first_bad(
    rows: list[tuple[int, str, str]], expected: int, prev: str, before_prev: str, heads: _Heads
) -> tuple[int, int | None, str] | None:
    """The first bad event of a chunk (events before it that check out, its seq, why), or None."""
    sha256 = hashlib.sha256
    signed = heads.hashes
    for seq, stored, line in rows:
        if seq != expected:
            why = "is missing" if seq > expected else "appears more than once"
            return expected - 1, expected, f"event {why}"
        if line[-64:] != prev:
            if seq >= 2 and line[-64:] == before_prev:  # the event in between is a forgery
                return seq - 2, seq - 1, "was inserted: the next event does not follow it"
            return seq - 1, seq, "does not follow the event before it"
        if sha256(line.encode()).hexdigest() != stored:
            return seq - 1, seq, "content does not match its hash (altered)"
        if seq in signed and signed[seq] != stored:
            earlier = max((s for s in signed if s < seq), default=0)
            where = "anchored" if seq in heads.anchored else "signed"
            return seq - 1, seq, f"differs from its {where} checkpoint: rewritten after {earlier}"
        before_prev, prev = prev, stored
        expected += 1
    return None
