"""Messages of a relationship over the API, mounted under ``/api/v1/relationships``.

``GET  /relationships/{id}/messages?after=<seq>|before=<seq>&limit=`` — cursor pagination by the
message's ``seq`` (a per-conversation counter): ``after`` walks forward (each message exactly
once, for polling), ``before`` walks back through history, neither gives the newest page.
``POST /relationships/{id}/messages`` with ``{"body": str}`` sends one.
``PATCH``/``DELETE /relationships/{id}/messages/{message_id}`` edit or delete your own.

Only the relationship's two participants get anything, once it has started; after it ends the
conversation is a read-only archive for both (``messaging/access.py``). Everyone else gets 404.
Real-time delivery: ``/ws/conversations/{conversation_id}/`` (``messaging/consumers.py``).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, body_doc, parse_body
from mentorhaven.kernel.errors import NotFound
from mentorhaven.messaging import selectors, services
from mentorhaven.messaging.access import (
    access_message,
    access_relationship_conversation,
    is_read_only,
    read_only_error,
)
from mentorhaven.messaging.models import Conversation

router = Router(tags=["messages"])

ERRORS = {404: ErrorOut, **AUTH_ERRORS}


class AuthorOut(Schema):
    id: UUID
    display_name: str


class MessageOut(Schema):
    id: UUID
    seq: int
    author: AuthorOut
    body: str
    created_at: datetime
    edited: bool
    deleted: bool


class MessagePage(Schema):
    conversation_id: UUID | None
    items: list[MessageOut]
    next_after: int | None = Field(None, description="Pass as ?after= for newer messages")
    prev_before: int | None = Field(None, description="Pass as ?before= for older messages")


class MessageIn(Schema):
    body: str = Field(..., min_length=1, max_length=services.MAX_BODY)


class CursorParams(Schema):
    after: int | None = Field(None, ge=0, le=2**62)
    before: int | None = Field(None, ge=1, le=2**62)
    limit: int = Field(selectors.DEFAULT_LIMIT, ge=1, le=selectors.MAX_LIMIT)


def _out(view: selectors.MessageView) -> dict:
    data = view.as_json()
    data.pop("mine")
    return data


def _conversation(request, relationship_id: UUID, *, create: bool) -> Conversation | None:
    relationship, conversation = access_relationship_conversation(request.auth, relationship_id)
    if conversation is None and create:
        conversation = services.conversation_for_relationship(
            actor=request.auth, relationship=relationship
        )
    return conversation


@router.get("/{uuid:relationship_id}/messages", response={200: MessagePage, **ERRORS})
def message_list(request, relationship_id: UUID, params: Query[CursorParams]):
    """Messages of the relationship's conversation, oldest first within the page."""
    conversation = _conversation(request, relationship_id, create=False)
    if conversation is None:
        return {"conversation_id": None, "items": [], "next_after": params.after or 0}
    items = selectors.messages_page(
        viewer=request.auth,
        conversation=conversation,
        after=params.after,
        before=params.before,
        limit=params.limit,
        via="api",
    )
    return {
        "conversation_id": conversation.public_id,
        "items": [_out(i) for i in items],
        "next_after": items[-1].seq if items else (params.after or conversation.last_seq),
        "prev_before": items[0].seq if items and items[0].seq > 1 else None,
    }


@router.post(
    "/{uuid:relationship_id}/messages",
    response={201: MessageOut, 409: ErrorOut, **ERRORS},
    openapi_extra=body_doc(MessageIn),
)
def message_send(request, relationship_id: UUID):
    """Send a message (``{"body": str}``). Access is checked before the body is read, so a
    stranger gets 404 whatever they send."""
    conversation = _conversation(request, relationship_id, create=True)
    assert conversation is not None  # created on first use
    if is_read_only(conversation):
        raise read_only_error(conversation)
    payload = parse_body(request, MessageIn)
    message = services.message_send(
        actor=request.auth, conversation=conversation, body=payload.body
    )
    return Status(201, _out(selectors.view_of(message, request.auth)))


def _own_message(request, relationship_id: UUID, message_id: UUID):
    message = access_message(request.auth, message_id, write=True)
    relationship = message.conversation.relationship
    if relationship is None or relationship.public_id != relationship_id:
        raise NotFound()
    return message


@router.patch(
    "/{uuid:relationship_id}/messages/{uuid:message_id}",
    response={200: MessageOut, 409: ErrorOut, **ERRORS},
    openapi_extra=body_doc(MessageIn),
)
def message_edit(request, relationship_id: UUID, message_id: UUID):
    message = _own_message(request, relationship_id, message_id)
    payload = parse_body(request, MessageIn)
    message = services.message_edit(actor=request.auth, message=message, body=payload.body)
    return _out(selectors.view_of(message, request.auth))


@router.delete(
    "/{uuid:relationship_id}/messages/{uuid:message_id}",
    response={200: MessageOut, 409: ErrorOut, **ERRORS},
)
def message_delete(request, relationship_id: UUID, message_id: UUID):
    message = _own_message(request, relationship_id, message_id)
    message = services.message_delete(actor=request.auth, message=message)
    return _out(selectors.view_of(message, request.auth))
