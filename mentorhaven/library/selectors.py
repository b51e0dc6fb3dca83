"""Reads of the program library, by viewer.

A resource's text is the program's own material and is read without an audit event (like an
event's announcement). Search runs over what the viewer may see only: the candidate rows come
from ``visible_resources`` and their text is decrypted and matched here, because it is stored
encrypted and the database cannot search it. How often resources were opened reaches the
people who run the program through the reporting layer's small-group rule only.
"""

from __future__ import annotations

from dataclasses import dataclass

from mentorhaven.accounts.models import User
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.library import domain
from mentorhaven.library.access import runs_program, visible_resources
from mentorhaven.library.models import Resource
from mentorhaven.programs.models import Program
from mentorhaven.reporting.domain import Table, k_for, release

# Search decrypts the candidates in Python; a program's library is this many resources at most
# for a search (newest first), so one search costs a bounded amount of work.
SEARCH_SCAN_LIMIT = 2000


def _plain(value) -> str:
    return "" if value is None or is_unavailable(value) else str(value)


def resources_for(
    *,
    viewer: User,
    program: Program,
    query: str = "",
    kind: str = "",
    archived: bool = False,
) -> list[Resource]:
    """The program's resources the viewer may see, newest first; with ``query``, those whose
    title, description or tags hold every word of it. ``archived=True`` lists the archived
    ones instead (only those who run the program see any)."""
    rows = visible_resources(viewer).filter(program=program, archived_at__isnull=not archived)
    if kind in Resource.Kind.values:
        rows = rows.filter(kind=kind)
    rows = rows.select_related("program").order_by("-created_at", "-pk")
    query = query.strip()[:200]
    if not query:
        return list(rows[:SEARCH_SCAN_LIMIT])
    return [
        r
        for r in rows[:SEARCH_SCAN_LIMIT]
        if domain.matches(
            query, title=_plain(r.title), description=_plain(r.description), tags=r.tag_list()
        )
    ]


@dataclass(frozen=True)
class ViewFigures:
    """Openings per resource as they may be shown: ``table.cells`` by resource public id (None
    where hidden), with the resources in the same order."""

    table: Table
    resources: list[Resource]

    @property
    def rows(self) -> list[tuple[Resource, int | None]]:
        return [(r, self.table.cells[str(r.public_id)]) for r in self.resources]


def view_figures(*, viewer: User, program: Program) -> ViewFigures | None:
    """How often each current resource was opened, for those who run the program, through
    ``reporting.domain.release`` (k-anonymous: a count under k is hidden, with complementary
    suppression). None for anyone else."""
    if not runs_program(viewer, program):
        return None
    current = list(
        Resource.objects.filter(program=program, archived_at__isnull=True).order_by(
            "-created_at", "-pk"
        )
    )
    counts = {str(r.public_id): r.view_count for r in current}
    return ViewFigures(release(counts, k=k_for(program.settings)), current)
