"""Open sockets end with their session.

A WebSocket is authenticated once, at the handshake, from the session cookie. Without more, it
would go on receiving after its session ended: signed out, ended from "where you are signed in",
or ended by a password change. Two things stop that:

* every delivery asks ``session_user`` again whether the socket's session still exists, still
  belongs to the same person, and still carries the password hash of now (the same check Django
  makes on every HTTP request); a socket that fails it is closed (messaging/consumers.py);
* whenever sessions of a person end, ``sockets_recheck_on_commit`` rings their sockets, so they
  make that check at once and close even if nothing is ever delivered to them again.

The doorbell carries no session key, only "check again"; the group is named by the person's
public id.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.contrib.auth import get_user
from django.db import transaction
from django.http import HttpRequest
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

logger = logging.getLogger(__name__)

RECHECK_EVENT = "sessions.changed"


def sessions_group(public_id: uuid.UUID | str) -> str:
    """The channel-layer group of one person's open sockets."""
    return f"account-sessions.{uuid.UUID(str(public_id)).hex}"


def session_user(session_key: str | None):
    """The person signed in by the session ``session_key`` right now, or an anonymous user:
    the session is gone, expired, or its password hash is stale (Django's own check)."""
    from django.conf import settings

    request = HttpRequest()
    request.session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
    return get_user(request)


def sockets_recheck_on_commit(user: User) -> None:
    """After commit, tell ``user``'s open sockets to check their session again."""
    public_id = getattr(user, "public_id", None)
    if public_id is None:
        return
    name = sessions_group(public_id)

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        if isinstance(layer, InMemoryChannelLayer) and name not in layer.groups:
            return  # no socket of theirs in this process (the in-memory layer reaches no other)
        try:
            async_to_sync(layer.group_send)(name, {"type": RECHECK_EVENT})
        except Exception:  # every later delivery checks again anyway
            logger.exception("accounts: could not ring the sockets of a person")

    transaction.on_commit(send)
