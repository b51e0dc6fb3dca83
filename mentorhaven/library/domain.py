"""Pure rules of the library: byte ranges of a content request, tags, search.

Ranges follow RFC 9110 (section 14): one ``bytes=`` range is served as 206 Partial Content;
a range that starts past the end (or a suffix of zero bytes) is 416 with ``Content-Range:
bytes */size``; a malformed ``bytes=`` value is 416 too, so a client learns at once that its
request was wrong rather than receiving the whole file it did not ask for; several ranges in one
request (``multipart/byteranges``) are not offered: the header is ignored and the whole content
is sent with 200, which the RFC allows and every client handles. Another unit than ``bytes`` is
ignored the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

TITLE_LIMIT = 200
TEXT_LIMIT = 5000
BODY_LIMIT = 100_000
URL_LIMIT = 1000
TAG_LIMIT = 40
TAGS_MAX = 12
SEARCH_LIMIT = 200

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class Outcome(Enum):
    FULL = "full"  # 200, the whole content
    PARTIAL = "partial"  # 206, ``start``..``end``
    UNSATISFIABLE = "unsatisfiable"  # 416


@dataclass(frozen=True)
class RangeDecision:
    outcome: Outcome
    start: int = 0
    end: int = 0  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


FULL = RangeDecision(Outcome.FULL)
UNSATISFIABLE = RangeDecision(Outcome.UNSATISFIABLE)


def resolve_range(header: str | None, size: int) -> RangeDecision:
    """What to send for a ``Range`` header on content of ``size`` bytes."""
    if header is None or size <= 0:
        return FULL
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return FULL
    if "," in spec:
        return FULL
    match = _SPEC.match(spec)
    if match is None or not (match.group(1) or match.group(2)):
        return UNSATISFIABLE
    first, last = match.group(1), match.group(2)
    if not first:  # suffix: the last N bytes
        count = int(last)
        if count == 0:
            return UNSATISFIABLE
        return RangeDecision(Outcome.PARTIAL, max(size - count, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if end < start or start >= size:
        return UNSATISFIABLE
    return RangeDecision(Outcome.PARTIAL, start, min(end, size - 1))


def clean_tags(text: str) -> list[str]:
    """Tags from a comma-separated string: trimmed, lower-cased, unique, in the order given."""
    seen: list[str] = []
    for raw in text.split(","):
        tag = " ".join(raw.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def matches(query: str, *, title: str, description: str, tags: list[str]) -> bool:
    """Whether every word of ``query`` appears in the title, the description or a tag."""
    words = query.lower().split()
    haystack = " ".join([title, description, *tags]).lower()
    return all(word in haystack for word in words)
