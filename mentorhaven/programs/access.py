"""Who may see or change a program. Built on the kernel's deny-by-default visibility."""

from __future__ import annotations

import uuid
from typing import Any

from mentorhaven.kernel.access import administered_programs, fetch, visible_programs
from mentorhaven.kernel.errors import NotFound
from mentorhaven.programs.models import Program


def access_program(viewer, public_id: Any, *, write: bool = False) -> Program:
    """The program with ``public_id`` if the viewer may see it, else NotFound.

    Visible: programs the viewer takes part in, and every program of an organization the viewer
    oversees (see ``kernel.access.visible_programs``). With ``write=True`` the viewer must also
    administer it (program admin of it, or org admin of its organization), else PermissionDenied.
    A malformed id is answered like a missing one.
    """
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound() from exc
    return fetch(
        visible_programs(viewer).select_related("organization"),
        write=write,
        writable=administered_programs(viewer),
        public_id=key,
    )
