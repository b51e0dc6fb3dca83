"""API of the signed-in person's erasure request: see it, ask for it, cancel it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut
from mentorhaven.kernel.errors import NotFound
from mentorhaven.privacy.erasure import selectors, services

router = Router(tags=["privacy"])
ERRORS = {**AUTH_ERRORS, 404: ErrorOut, 409: ErrorOut}


class ErasureOut(Schema):
    id: UUID
    status: Literal["pending", "running", "completed", "cancelled"]
    requested_at: datetime
    due_at: datetime
    cancellable: bool


def _out(request) -> dict:
    return {
        "id": request.public_id,
        "status": request.status,
        "requested_at": request.requested_at,
        "due_at": request.due_at,
        "cancellable": request.status == "pending",
    }


@router.get("/me/erasure", response={200: ErasureOut, **ERRORS}, summary="My erasure request")
def me_erasure(request):
    """Your waiting erasure request, with the date it will be carried out; 404 if there is none."""
    found = selectors.erasure_request_for(viewer=request.auth)
    if found is None:
        raise NotFound(_("You have not asked to be erased."))
    return _out(found)


@router.post("/me/erasure", response={201: ErasureOut, **ERRORS}, summary="Ask to be erased")
def me_erasure_request(request):
    """Ask for your account and everything kept about you to be erased. It happens after a grace
    period (14 days by default) during which you can cancel; asking again returns the same
    request."""
    return Status(201, _out(services.erasure_request(actor=request.auth)))


@router.delete("/me/erasure", response={204: None, **ERRORS}, summary="Cancel my erasure")
def me_erasure_cancel(request):
    """Cancel your waiting erasure request. Once it has started it cannot be cancelled (409)."""
    found = selectors.erasure_request_for(viewer=request.auth)
    if found is None:
        raise NotFound(_("You have not asked to be erased."))
    services.erasure_cancel(actor=request.auth, request=found)
    return Status(204, None)
