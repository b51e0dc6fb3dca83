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
delivery first checks the socket's session again (still there, still this person, password
unchanged, second factor still in order: accounts/realtime.py) and closes with 4401 when it has
ended — signed out, ended from another device, or ended by a password change; the person's
sockets are also rung when their sessions end, so they close without waiting for a message.
Every delivery then reads through ``access_conversation`` again, so a socket that outlives its
user's access is closed with 4403 instead of receiving more. The channel layer carries only
"something changed" doorbells, never message text (see ``realtime.py``). What a socket delivers
is a read on the record: one event per writer and connection (``_record``), not one per message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from mentorhaven.accounts.realtime import session_user, sessions_group
from mentorhaven.accounts.selectors import mfa_gate
from mentorhaven.kernel.errors import NotAuthenticated, NotFound
from mentorhaven.messaging import selectors, services
from mentorhaven.messaging.access import access_conversation
from mentorhaven.messaging.realtime import group_name

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

NOT_SIGNED_IN = 4401
GONE = 4403
NOT_FOUND = 4404


def _after(scope) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("ascii", "replace")).get("after")
    try:
        return max(0, int(values[0])) if values else None
    except ValueError:
        return None


def _authorize(user: User, conversation_id):
    """The same gates as a page: a role that must enrol a second factor gets nothing until it
    has (the HTTP middleware does not see sockets), then the conversation's access rule."""
    if mfa_gate(user).blocks:
        raise NotAuthenticated()
    return access_conversation(user, conversation_id)


def _still_signed_in(session_key: str | None, user: User) -> bool:
    """Whether the socket's session still signs in ``user``, who still passes the gates."""
    current = session_user(session_key)
    return (
        current.is_authenticated
        and current.pk == user.pk
        and current.is_active
        and not mfa_gate(current).blocks
    )


class SignedOut(Exception):
    """The socket's session has ended (raised inside a delivery, answered with 4401)."""


class ConversationConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    person_group: str | None = None
    ended = False

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
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.named: set[str] = set()  # writers whose messages this connection has recorded
        after = _after(self.scope)
        self.cursor = conversation.last_seq if after is None else after
        self.group = group_name(conversation.public_id)
        self.person_group = sessions_group(user.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(self.person_group, self.channel_name)
        await self.accept()
        if after is not None:
            await self._push_new()

    async def disconnect(self, code) -> None:
        await self._leave()

    async def _leave(self) -> None:
        for name in (self.group, self.person_group):
            if name:
                await self.channel_layer.group_discard(name, self.channel_name)
        self.group = self.person_group = None

    async def _end(self, code: int) -> None:
        """Close for good: nothing more is delivered, whatever rings later."""
        self.ended = True
        await self._leave()
        await self.close(code=code)

    def _checked(self, read):
        """``read()`` if the session still signs this person in; else SignedOut."""
        if not _still_signed_in(self.session_key, self.user):
            raise SignedOut()
        return read()

    async def sessions_changed(self, event) -> None:
        """Some session of this person ended: check whether it was this socket's."""
        if self.ended:
            return
        try:
            await database_sync_to_async(self._checked)(lambda: None)
        except SignedOut:
            await self._end(NOT_SIGNED_IN)

    async def receive_json(self, content, **kwargs) -> None:
        """Clients send no messages over the socket (they post them over HTTP). A frame is
        ``{"read": seq}`` (move the reader's last-read pointer) or a nudge to check for news."""
        if self.ended:
            return
        if isinstance(content, dict) and isinstance(content.get("read"), int):
            seq = min(content["read"], self.cursor)
            try:
                await database_sync_to_async(self._checked)(
                    lambda: services.conversation_mark_read(
                        actor=self.user, conversation=self.conversation, seq=seq
                    )
                )
            except SignedOut:
                await self._end(NOT_SIGNED_IN)
            return
        await self._push_new()

    async def conversation_changed(self, event) -> None:
        if self.ended:
            return
        if event.get("message"):
            await self._push_one(event["message"])
        elif event.get("seq") is None or event["seq"] > self.cursor:
            await self._push_new()

    async def _push_new(self) -> None:
        try:
            items = await database_sync_to_async(self._checked)(
                lambda: selectors.messages_page(
                    viewer=self.user,
                    conversation=self.conversation,
                    after=self.cursor,
                    limit=selectors.MAX_LIMIT,
                    via=None,
                )
            )
        except SignedOut:
            await self._end(NOT_SIGNED_IN)
            return
        except NotFound:
            await self._end(GONE)
            return
        if items:
            await self._record(items)
            self.cursor = max(self.cursor, items[-1].seq)
            await self.send_json({"type": "messages", "items": [i.as_json() for i in items]})

    async def _push_one(self, message_id: str) -> None:
        try:
            item = await database_sync_to_async(self._checked)(
                lambda: selectors.message_view(
                    viewer=self.user, conversation=self.conversation, message_id=message_id
                )
            )
        except SignedOut:
            await self._end(NOT_SIGNED_IN)
            return
        except NotFound:
            await self._end(GONE)
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
