"""Telling connected sockets that a conversation changed, after the change is committed.

What travels over the channel layer is a doorbell — the conversation and a message id or
sequence number, never the message text: with ``REDIS_URL`` set the layer is Redis, and message
content must not sit in Redis memory or snapshots. Each socket then reads the new messages
through the same access check and selector as a page would (see ``consumers.py``).
"""

from __future__ import annotations

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def group_name(conversation_public_id: uuid.UUID | str) -> str:
    return f"conversation.{uuid.UUID(str(conversation_public_id)).hex}"


def announce_on_commit(conversation_public_id, *, seq: int | None = None, message=None) -> None:
    """After commit, ring every socket subscribed to the conversation. ``seq``: new messages
    up to it; ``message``: one message changed (edited or deleted)."""
    event = {"type": "conversation.changed", "seq": seq}
    if message is not None:
        event["message"] = str(message)
    name = group_name(conversation_public_id)

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        if isinstance(layer, InMemoryChannelLayer) and name not in layer.groups:
            # Nobody in this process listens (the in-memory layer reaches only this process):
            # skip starting an event loop for a send that would reach no one.
            return
        try:
            async_to_sync(layer.group_send)(name, event)
        except Exception:  # the write is committed; sockets catch up by polling or reconnecting
            logger.exception("messaging: could not announce a change to %s", name)

    transaction.on_commit(send)
