"""Real-time delivery: ``/ws/conversations/<conversation uuid>/[?after=<seq>]``.

Protocol (JSON frames, server → client only; the client writes through the HTTP API/forms):

* ``{"type": "messages", "items": [...]}`` — messages with ``seq`` above the socket's cursor,
  in order. Right after connecting, the socket catches up from ``?after=`` (the last ``seq`` the
  page shows), so nothing posted between rendering the page and opening the socket is lost.
* ``{"type": "message", "item": {...}}`` — one message changed (edited, or deleted: a
  tombstone with an empty body).

Items have the API's shape (``id``, ``seq``, ``author``, ``body``, ``created_at``, ``edited``,
``deleted``, plus ``mine``); clients drop an ``id`` they already show, so a page that also polls
never shows a message twice.

Security: the ASGI stack checks the Origin header against ``ALLOWED_HOSTS`` and loads the
session user. Connecting is refused — the handshake closed with code 4401 (not signed in, or
signed in with a role that has not enrolled its required second factor) or
4404 (no such conversation *or* not yours: the same answer) — before anything is sent. Every
delivery reads through ``access_conversation`` again, so a socket that outlives its user's
access is closed with 4403 instead of receiving more. The channel layer carries only "something
changed" doorbells, never message text (see ``realtime.py``). What a socket delivers is a read
on the record: one event per writer and connection (``_record``), not one per message.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from mentorhaven.accounts.selectors import mfa_gate
from mentorhaven.kernel.errors import NotAuthenticated, NotFound
from mentorhaven.messaging import selectors, services
from mentorhaven.messaging.access import access_conversation
from mentorhaven.messaging.realtime import group_name

NOT_SIGNED_IN = 4401
GONE = 4403
NOT_FOUND = 4404


def _after(scope) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("ascii", "replace")).get("after")
    try:
        return max(0, int(values[0])) if values else None
    except ValueError:
        return None


def _authorize(user, conversation_id):
    """The same gates as a page: a role that must enrol a second factor gets nothing until it
    has (the HTTP middleware does not see sockets), then the conversation's access rule."""
    if mfa_gate(user).blocks:
        raise NotAuthenticated()
    return access_conversation(user, conversation_id)


class ConversationConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        try:
            conversation = await database_sync_to_async(_authorize)(
                user, self.scope["url_route"]["kwargs"]["conversation_id"]
            )
        except NotAuthenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        except NotFound:
            await self.close(code=NOT_FOUND)
            return
        self.user, self.conversation = user, conversation
        self.named: set[str] = set()  # writers whose messages this connection has recorded
        after = _after(self.scope)
        self.cursor = conversation.last_seq if after is None else after
        self.group = group_name(conversation.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        if after is not None:
            await self._push_new()

    async def disconnect(self, code) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Clients send no messages over the socket (they post them over HTTP). A frame is
        ``{"read": seq}`` (move the reader's last-read pointer) or a nudge to check for news."""
        if isinstance(content, dict) and isinstance(content.get("read"), int):
            seq = min(content["read"], self.cursor)
            await database_sync_to_async(services.conversation_mark_read)(
                actor=self.user, conversation=self.conversation, seq=seq
            )
            return
        await self._push_new()

    async def conversation_changed(self, event) -> None:
        if event.get("message"):
            await self._push_one(event["message"])
        elif event.get("seq") is None or event["seq"] > self.cursor:
            await self._push_new()

    async def _push_new(self) -> None:
        try:
            items = await database_sync_to_async(selectors.messages_page)(
                viewer=self.user,
                conversation=self.conversation,
                after=self.cursor,
                limit=selectors.MAX_LIMIT,
                via=None,
            )
        except NotFound:
            await self.close(code=GONE)
            return
        if items:
            await self._record(items)
            self.cursor = max(self.cursor, items[-1].seq)
            await self.send_json({"type": "messages", "items": [i.as_json() for i in items]})

    async def _push_one(self, message_id: str) -> None:
        try:
            item = await database_sync_to_async(selectors.message_view)(
                viewer=self.user, conversation=self.conversation, message_id=message_id
            )
        except NotFound:
            await self.close(code=GONE)
            return
        if item is not None:
            await self._record([item])
            await self.send_json({"type": "message", "item": item.as_json()})

    async def _record(self, items) -> None:
        """The read is on the record once per writer and connection: the first delivery of
        someone's messages over this socket records it, later ones are part of the same look."""
        new = {i.author_id for i in items if not i.mine and not i.deleted} - self.named
        if new:
            await database_sync_to_async(selectors.record_realtime_reads)(
                viewer=self.user, conversation=self.conversation, authors=new
            )
            self.named |= new
