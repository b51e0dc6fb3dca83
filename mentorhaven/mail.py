"""Delivering e-mail without letting a mail outage break the action it reports.

Notices go out after the transaction that caused them has committed. If the mail server is down
at that moment, the change stays made and the person sees success; the failure is logged with
the kind of notice only — never the address or the text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger("mentorhaven.mail")


def send_quietly(send: Callable[[], object], kind: str) -> None:
    try:
        send()
    except Exception:
        logger.warning("Could not send a %s notice: the mail server refused it or is down.", kind)


def send_after_commit(send: Callable[[], object], kind: str) -> None:
    """Send once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send_quietly(send, kind))
