"""Reads of erasure requests."""

from __future__ import annotations

from mentorhaven.privacy.erasure.models import ErasureRequest


def erasure_request_for(*, viewer) -> ErasureRequest | None:
    """The viewer's live (waiting or running) erasure request, if any."""
    return ErasureRequest.objects.filter(
        user=viewer, status__in=[ErasureRequest.Status.PENDING, ErasureRequest.Status.RUNNING]
    ).first()
