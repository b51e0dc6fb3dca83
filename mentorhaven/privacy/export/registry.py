"""What a data export holds: sections that the apps register in their ``export.py``.

Each app that keeps something about a person says, in its own ``export.py``, how to find it and
how to write it out::

    from mentorhaven.privacy.export.registry import Section, exclude, register

    register(Section(
        key="notes",
        title=_("Session notes you wrote, and notes shared with you"),
        models=("mentoring.Note",),
        rows=note_rows,                 # (context) -> iterable of JSON-ready dicts
        source=_("Written by you, or by the other person of a relationship and shared with you"),
    ))
    exclude("mentoring.CalendarFeed", "only a hash of the feed's secret address")

The privacy app imports every ``export.py`` when it is ready. ``models`` names the models whose
rows a section writes: the archive takes each section's purpose, recipients and retention from
their inventory declarations, and the completeness test (``completeness.py``) fails when a model
reachable from the user is neither in a section nor excluded with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from mentorhaven.kernel import audit


@dataclass(frozen=True)
class Blob:
    """A file to put in the archive as it is: its path inside the ZIP and its plaintext
    chunks (opened only when it is written, so one blob at a time is in flight)."""

    path: str
    chunks: Callable[[], Iterator[bytes]]


@dataclass
class ExportContext:
    """The person being exported, and the other people whose writing the export shows them.

    A section that writes someone else's content (a message from the mentor, a note the mentor
    shared) calls ``read_from(person, category)``: when the archive is built, each of them gets
    one audit event per category ("… exported your data as part of a data request"), exactly as
    if the person had read it on a page.
    """

    user: Any
    others: dict[tuple[int, str], int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def read_from(self, person_id: int | None, category: str) -> None:
        if person_id is None or person_id == self.user.pk:
            return
        key = (person_id, category)
        self.others[key] = self.others.get(key, 0) + 1

    def name_of(self, person_id: int | None) -> str:
        """A person's display name as the export shows it ("you" for the person themself)."""
        if person_id is None:
            return ""
        if person_id == self.user.pk:
            return "you"
        if person_id not in self.names:
            found = get_user_model().objects.filter(pk=person_id).first()
            self.names[person_id] = found.name if found is not None else "a former participant"
        return self.names[person_id]

    def record_reads(self, *, purpose: str) -> None:
        """One ``data.read`` event per other person and category whose data was written out."""
        by_category: dict[str, list[int]] = {}
        for person_id, category in self.others:
            by_category.setdefault(category, []).append(person_id)
        for category, people in sorted(by_category.items()):
            audit.record_access(
                viewer=self.user,
                subjects=people,
                category=category,
                purpose=purpose,
                action="export.read",
            )


@dataclass(frozen=True)
class Section:
    key: str  # the file's name in the archive: data/<key>.json, html/<key>.html
    title: Any  # plain language, translatable
    models: tuple[str, ...]  # "app.Model" of every model whose rows it writes
    rows: Callable[[ExportContext], Iterable[dict[str, Any]]]
    source: Any = ""  # where the data comes from, when the inventory does not say
    blobs: Callable[[ExportContext], Iterable[Blob]] | None = None
    order: int = 100


SECTIONS: dict[str, Section] = {}
EXCLUDED: dict[str, str] = {}  # "app.model" -> why it is not in an export


def register(section: Section) -> Section:
    known = SECTIONS.setdefault(section.key, section)
    if known is not section and known != section:
        raise ValueError(f"export section {section.key!r} is registered twice")
    return section


def exclude(model: str, reason: str) -> None:
    """Record why ``model`` ("app.Model") has no place in a person's export."""
    if not reason.strip():
        raise ValueError("an exclusion needs a reason")
    EXCLUDED[model.lower()] = reason


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def exported_models() -> set[str]:
    return {m.lower() for s in SECTIONS.values() for m in s.models}
