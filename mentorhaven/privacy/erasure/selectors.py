"""Reads of erasure requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentorhaven.privacy.erasure.models import ErasureRequest

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def erasure_request_for(*, viewer: User) -> ErasureRequest | None:
    """The viewer's live (waiting or running) erasure request, if any."""
    return ErasureRequest.objects.filter(
        user=viewer, status__in=[ErasureRequest.Status.PENDING, ErasureRequest.Status.RUNNING]
    ).first()
