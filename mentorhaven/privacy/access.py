"""Who may see a data export: the person it is about, and nobody else (not an admin, not an
operator through the application; an operator uses ``mentorhaven dsar export``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.privacy.models import ExportJob

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def visible_exports(viewer: User):
    if not is_person(viewer):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=viewer)


def access_export(viewer: User, public_id: Any, *, write: bool = False) -> ExportJob:
    """The export if it is ``viewer``'s own, else NotFound (missing and forbidden alike).
    Writing (a download link) is the owner's too."""
    return fetch(visible_exports(viewer), public_id, write=write, writable=visible_exports(viewer))
