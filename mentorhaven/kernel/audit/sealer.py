"""The audit sealer service (``mentorhaven audit sealer``): ``seal()``, continuously.

One per database, next to the web processes (``mentorhaven run`` starts it in development).
Each turn it seals whatever is pending, signs the checkpoints that are due, and retries anchor
deliveries that failed.

* PostgreSQL: every transaction that records events notifies the ``mentorhaven_audit`` channel
  as it commits (a statement trigger, kernel migration 0006). The sealer sleeps on that channel,
  gathers for SEALER_GATHER_SECONDS once woken (so that one turn seals what many commits
  wrote), and also looks every SEALER_IDLE_SECONDS.
* SQLite: no notifications; it looks every SEALER_POLL_SECONDS, with one read of the tiny
  partial index of pending rows, and takes the write lock only when something is pending.

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

SEALER_CHANNEL = "mentorhaven_audit"  # notified by every recording commit (kernel migration 0006)
SEALER_IDLE_SECONDS = 1.0
SEALER_GATHER_SECONDS = 0.01
SEALER_POLL_SECONDS = 0.2


def _turn(*, look_first: bool) -> None:
    """One round of the service: seal, sign what is due, retry failed anchor deliveries."""
    if not look_first or pending_exists():
        seal()
    checkpoints.checkpoint_if_due()
    if anchors.retry_due():
        anchors.deliver(retrying=True)


def _safe_turn(stop: threading.Event, *, look_first: bool) -> None:
    try:
        _turn(look_first=look_first)
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
        if connection.vendor == "postgresql":
            _listen(stop, ready)
        else:
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
        _safe_turn(stop, look_first=True)
        stop.wait(SEALER_POLL_SECONDS)


def _listen(stop: threading.Event, ready: threading.Event | None) -> None:
    import psycopg

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as listener:
        listener.execute(f"LISTEN {SEALER_CHANNEL}")
        _start()
        logger.info("audit sealer running (woken by every recording commit)")
        if ready is not None:
            ready.set()
        while not stop.is_set():
            _safe_turn(stop, look_first=False)
            # Sleep until a commit wakes us (psycopg hands over every notification that has
            # arrived, one or many), gather for a moment, then take everything pending.
            woken = False
            for _ in listener.notifies(timeout=SEALER_IDLE_SECONDS, stop_after=1):
                woken = True
            if woken:
                stop.wait(SEALER_GATHER_SECONDS)
