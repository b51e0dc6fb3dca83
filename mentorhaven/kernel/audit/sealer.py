"""The audit sealer service (``mentorhaven audit sealer``): ``seal()``, continuously.

One per database, next to the web processes (``mentorhaven run`` starts it in development).
Each turn it seals whatever is pending, signs the checkpoints that are due, and retries anchor
deliveries that failed.

It looks for pending events every SEALER_POLL_SECONDS, with one read of the tiny partial index
of pending rows, and takes the sealing lock only when something is pending. (Recording
transactions do not notify it: a PostgreSQL NOTIFY holds a cluster-wide lock from commit until
the commit is flushed, which would make every recording transaction commit one at a time; kernel
migration 0011.)

Two sealers at once are harmless (turns are serialised) but useless: run one, restarted when it
stops. While none runs, events stay pending (nothing is lost); ``verify`` warns when an event
has been pending for longer than ``PENDING_GRACE_SECONDS``.
"""

from __future__ import annotations

import logging
import threading

from django.db import connection

from mentorhaven.kernel.audit import anchors, checkpoints
from mentorhaven.kernel.audit.sealing import pending_exists, seal

logger = logging.getLogger(__name__)

SEALER_IDLE_SECONDS = 1.0  # the pause after a failed turn
SEALER_POLL_SECONDS = 0.05


def _turn() -> None:
    """One round of the service: seal, sign what is due, retry failed anchor deliveries."""
    if pending_exists():
        seal()
    checkpoints.checkpoint_if_due()
    if anchors.retry_due():
        anchors.deliver(retrying=True)


def _safe_turn(stop: threading.Event) -> None:
    try:
        _turn()
    except Exception:
        logger.exception("audit sealer: the turn failed; trying again")
        connection.close()
        stop.wait(SEALER_IDLE_SECONDS)


def _start() -> None:
    """Anchor checkpoints a crash left unanchored, and deliver what the sinks missed."""
    try:
        anchors.catch_up()
        anchors.deliver()
    except Exception:
        logger.exception("audit sealer: could not catch up with the anchor store")


def run_sealer(
    *, stop: threading.Event | None = None, ready: threading.Event | None = None
) -> None:
    """Seal, checkpoint and anchor until ``stop`` is set (or forever)."""
    stop = stop or threading.Event()
    try:
        _poll(stop, ready)
    finally:
        connection.close()
        logger.info("audit sealer stopped")


def _poll(stop: threading.Event, ready: threading.Event | None) -> None:
    _start()
    logger.info("audit sealer running (polling every %s s)", SEALER_POLL_SECONDS)
    if ready is not None:
        ready.set()
    while not stop.is_set():
        _safe_turn(stop)
        stop.wait(SEALER_POLL_SECONDS)
