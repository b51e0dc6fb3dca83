"""Reads of the privacy app: a person's data exports."""

from __future__ import annotations

from mentorhaven.privacy.access import visible_exports


def exports_for(*, viewer, limit: int = 5):
    """The viewer's most recent exports, newest first."""
    return list(visible_exports(viewer).order_by("-created_at", "-pk")[:limit])
