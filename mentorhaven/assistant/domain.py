"""Reading a model's answer into a suggestion. Pure functions: a model may answer with JSON, with
JSON inside prose or a code fence, or with plain lines; whatever it sends, the person gets
something to edit, never an error page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
MAX_MILESTONES = 3


@dataclass
class GoalSuggestion:
    title: str
    description: str = ""
    milestones: list[str] = field(default_factory=list)


def _json_object(text: str) -> dict[str, Any] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        found = json.loads(text[start : end + 1])
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _clip(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def parse_goal_suggestion(text: str) -> GoalSuggestion:
    found = _json_object(text)
    if found is not None:
        milestones = found.get("milestones") or []
        if not isinstance(milestones, list):
            milestones = [milestones]
        steps = [_clip(m.get("title") if isinstance(m, dict) else m, 200) for m in milestones]
        return GoalSuggestion(
            title=_clip(found.get("title") or found.get("goal"), 200),
            description=str(found.get("description") or "").strip()[:2000],
            milestones=[s for s in steps if s][:MAX_MILESTONES],
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    bullets = [BULLET.sub("", line) for line in lines if BULLET.match(line)]
    prose = [line for line in lines if not BULLET.match(line)]
    return GoalSuggestion(
        title=_clip(prose[0] if prose else (bullets[0] if bullets else ""), 200),
        description="\n".join(prose[1:])[:2000],
        milestones=[_clip(b, 200) for b in bullets][:MAX_MILESTONES],
    )


def parse_points(text: str, *, limit: int = 8) -> list[str]:
    """A list of short points (agenda items, prompts, themes): JSON ``{"points": [...]}`` or a
    JSON list, else the answer's bullet lines, else its lines."""
    found: Any = _json_object(text)
    if found is not None:
        found = found.get("points") or found.get("items") or found.get("themes") or []
    else:
        start, end = text.find("["), text.rfind("]")
        try:
            found = json.loads(text[start : end + 1]) if 0 <= start < end else None
        except ValueError:
            found = None
    if isinstance(found, list):
        points = [_clip(p.get("text") if isinstance(p, dict) else p, 300) for p in found]
    else:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        bullets = [BULLET.sub("", line) for line in lines if BULLET.match(line)]
        points = [_clip(line, 300) for line in (bullets or lines)]
    return [p for p in points if p][:limit]


QUOTE_WORDS = 5  # a theme sharing this many consecutive words with an answer quotes it
WORD = re.compile(r"\w+")
PLACEHOLDER_TEXT = re.compile(r"\[(?:NAME|EMAIL|PHONE|ADDRESS|LINK)_\d+\]")


def _runs(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def themes_without_quotes(points: list[str], answers: list[str]) -> list[str]:
    """The themes that neither quote an answer (``QUOTE_WORDS`` consecutive words in common)
    nor carry a placeholder (a replaced name, address or number): a coordinator reads them."""
    quoted: set[tuple[str, ...]] = set()
    for answer in answers:
        quoted |= _runs(answer, QUOTE_WORDS)
    return [
        p for p in points if not PLACEHOLDER_TEXT.search(p) and not (_runs(p, QUOTE_WORDS) & quoted)
    ]
