"""Deny by default: the shape every access helper shares, and nothing app-specific.

Who may see or change a kind of object is written once, in its app's ``access.py``, as an
``access_<thing>(viewer, id, *, write=False)`` helper built on a *visible* queryset: the rows
the viewer reaches, computed in the query from facts in the database (the viewer's memberships,
their relationships and whether those are active, who wrote a row, whether it is shared).
Nothing is a stored grant, and being a Django superuser or staff member grants nothing.

This module gives those helpers their common answers and imports no app:

* ``fetch`` turns a visible queryset and a client-supplied id into the object, or ``NotFound``
  — the same answer, with the same body, for a missing object, a malformed id and an object the
  viewer may not reach; a viewer who reaches it but may not change it gets ``PermissionDenied``.
* ``Role`` names the audiences the data map speaks of (``visible_to`` in each app's
  ``inventory.py``, "who sees this" on the privacy page).

There is deliberately no role x category table here: the rules MentorHaven keeps depend on the
row, not only on who the viewer is to its subject (a private note is its author's alone, a
mentor reads a goal only while the relationship is active, both former participants keep a
read-only conversation archive, an admin reads the one message reported to them). See
``docs/privacy.md`` section 4 for the choice and for the table of who reaches what, which is
measured from these helpers by ``tests/security/test_access_matrix.py``.
"""

from __future__ import annotations

import logging
import uuid
from enum import StrEnum
from typing import Any

from django.db.models import Model, QuerySet

from mentorhaven.kernel.errors import NotFound, PermissionDenied


class Role(StrEnum):
    """A viewer's relation *to one person*, as the data map names audiences."""

    SELF = "self"  # the person themself
    MENTOR = "mentor"  # the person's mentor while their relationship is active
    MENTEE = "mentee"  # the person's mentee while their relationship is active
    PEER = "program_peer"  # takes part in a program with the person
    PROGRAM_ADMIN = "program_admin"  # runs a program the person takes part in
    ORG_ADMIN = "org_admin"  # administers the person's organization
    AUDITOR = "auditor"  # audits the person's organization
    SECURITY_OFFICER = "security_officer"  # handles incidents in the person's organization


ROLES: tuple[str, ...] = tuple(str(r) for r in Role)


def is_person(viewer: Any) -> bool:
    """A signed-in, active account: anonymous and deactivated viewers reach nothing."""
    return (
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and getattr(viewer, "is_active", False)
    )


def parse_public_id(value: Any) -> uuid.UUID:
    """A public id from a client, or NotFound: a malformed id is answered like a missing one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def fetch[M: Model](
    visible: QuerySet[M],
    public_id: Any,
    *,
    write: bool = False,
    writable: QuerySet[M] | None = None,
) -> M:
    """The row of ``visible`` whose public id is ``public_id``, or ``NotFound``.

    With ``write=True`` the row must also be among ``writable`` (none by default: a helper that
    allows changes says which), else ``PermissionDenied``. One query for the row, one more only
    when writing against a queryset.
    """
    obj = visible.filter(public_id=parse_public_id(public_id)).first()
    if obj is None:
        raise NotFound()
    if write and (writable is None or not writable.filter(pk=obj.pk).exists()):
        raise PermissionDenied()
    return obj


def record_refusal(viewer: Any, *, status: int, api: bool) -> None:
    """Put a refusal by an access helper on the record (``access.denied``): who was refused,
    never what they asked for, so that monitoring can see id probing. Called where a refusal
    becomes a response (the HTML edge, the API's error handler) — after the refused request's
    own transaction has rolled back, which would have taken the event with it. Anonymous
    viewers are not recorded: they never reach an access helper."""
    if not is_person(viewer):
        return
    from django.db import DatabaseError, transaction

    from mentorhaven.kernel import audit

    try:
        with transaction.atomic():
            audit.record(
                action="access.denied",
                actor=viewer,
                purpose="Access refused",
                extra={"status": status, "api": api},
            )
    except DatabaseError:  # the refusal is answered whatever happens to its record
        logging.getLogger("mentorhaven.access").exception("could not record a refusal")
