"""Replacing identifiers by placeholders before a prompt leaves, and putting them back in the
answer. Pure functions, no database.

What is replaced (each distinct value gets its own placeholder, the same one every time):

* the names of the people we know are concerned (the participants, passed in by the caller),
  whole or in part, in any case, with a possessive "'s";
* other people's names where the text says who they are ("my manager Tom Becker", "Dr. Ito",
  "called Priya") and pairs of capitalised words that read as a first and last name;
* e-mail addresses, also written out ("maria.lopez at gmail dot com");
* phone numbers, found by Google's ``phonenumbers`` library in the configured regions and in
  international form, and any other long run of digits;
* street addresses and postcodes; links and @handles.

Redaction favours privacy over the quality of the suggestion: a capitalised phrase that is not
a name ("Data Science") may be replaced too. The model is told that placeholders stand for
people, addresses and numbers and to keep them as they are; the answer's placeholders are then
put back, for the person who asked only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

KINDS = ("NAME", "EMAIL", "PHONE", "ADDRESS", "LINK")
PLACEHOLDER = re.compile(r"\[(NAME|EMAIL|PHONE|ADDRESS|LINK)_(\d{1,4})\]")

_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?"
_NAME = rf"{_WORD}(?:\s+(?:van|von|de|da|del|der|di|le|la|bin|al)?\s*{_WORD}){{0,2}}"

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_TLD = (
    r"(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|ca|us|au"
    r"|in|jp|br|mx|info|biz|me)"
)
SPELLED_EMAIL = re.compile(
    rf"\b[\w.+-]+\s*(?:\(at\)|\[at\]|\{{at\}}|\s+at\s+)\s*[\w-]+"
    rf"(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[\w-]+)*"
    rf"\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*{_TLD}\b",
    re.IGNORECASE,
)
LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+|(?<![\w@])@[A-Za-z0-9_]{2,30}\b")
# A long run of digits with the separators phone numbers use; dates (2026-12-07, 07.12.2026)
# and plain years are not phone numbers.
DIGITS = re.compile(r"(?<![\w+])\+?\(?\d(?:[\d\s().\-/]{5,}\d)(?!\w)")
DATE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")
_STREET_WORDS = (
    r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Way|"
    r"Court|Ct\.?|Place|Pl\.?|Square|Sq\.?|Terrace|Close|Crescent|Row|Parkway|Highway"
)
STREET = re.compile(
    rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?:{_WORD}\s+){{1,3}}(?:{_STREET_WORDS})(?![\w])"
    rf"(?:,?\s+(?:Apt\.?|Suite|Unit|Flat)\s*\w+)?"
)
# Continental style: "Hauptstraße 12", "Calle Mayor 5", "Rue de Rivoli 10", "Am Markt 3a".
STREET_EU = re.compile(
    r"\b(?:[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer)"
    r"|(?:Calle|Rue|Via|Avenida|Rua|Plaza|Am|An der|Auf der|Im)\s+(?:d[eo]s?\s+|la\s+)?"
    r"[A-ZÄÖÜ][\wäöüß-]+)\s+\d{1,4}\s?[a-zA-Z]?\b"
)
POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"  # UK
    r"|\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+(?:\s+[A-ZÄÖÜ][a-zäöüß]+)?"  # 10115 Berlin
    r"|[A-Z]{2}\s+\d{5}(?:-\d{4})?)\b"  # NY 10001
)
_CUES = (
    r"manager|boss|colleague|co-?worker|friend|sister|brother|mother|mom|mum|father|dad|"
    r"husband|wife|partner|son|daughter|supervisor|lead|director|mentor|mentee|teammate|"
    r"client|recruiter|coach|teacher|professor|neighbou?r|cousin|aunt|uncle|fiancée?|"
    r"girlfriend|boyfriend|roommate|CEO|CTO|VP|HR|report|intern|peer|founder|therapist|doctor"
)
_TITLES = r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Sr|Sra)"
CUED_NAME = re.compile(
    rf"(?i:\b(?:my|our|his|her|their|the|a|new|old|former)\s+(?:{_CUES}),?\s+)(?!{_TITLES}\b)(?-i:({_NAME}))|"
    rf"\b{_TITLES}\.?\s+({_NAME})|"
    rf"(?i:\b(?:named|called|name is|hi|hello|dear|thanks|cheers|regards|cc|ask|asked|tell|"
    rf"told|met|meet|email|e-mail|call|text|ping|with|from|to|and|by|for|about)\s+)"
    rf"(?!{_TITLES}\b)(?-i:({_WORD}(?:\s+{_WORD})?))"
)
# Two capitalised words in the middle of a sentence ("to present with Tom Becker"); at the start
# of a sentence or in a Title Case goal they are usually not a name.
PAIR = re.compile(
    rf"(?P<pre>(?<!\w)[a-zß-ÿ][a-zß-ÿ']*[,;:]?\s+|[,;:(]\s*)(?P<first>{_WORD})\s+(?P<last>{_WORD})\b"
)
# Capitalised words that are not names; a pair made only of these stays (the model needs them).
_NOT_NAMES_TEXT = """
i i'm i've monday tuesday wednesday thursday friday saturday sunday january february march
april may june july august september october november december q1 q2 q3 q4 english german
french spanish python java javascript excel sql aws azure google microsoft linkedin github
slack zoom teams product project data science engineering manager senior junior lead head
team marketing sales design research analytics machine learning ai hr finance operations
chief officer director vice president program mentoring mentor mentee goal goals milestone
milestones meeting agenda the a an my our your this that next last first second third public
speaking leadership career growth skills skill course certificate conference university
master bachelor phd mba new york london berlin paris madrid europe america asia africa
remote office review performance promotion plan quarter week month year
"""
NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


@dataclass
class Redaction:
    """A redacted text and the map from each placeholder back to what it replaced."""

    text: str
    originals: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return count_placeholders(self.originals)


def count_placeholders(originals: dict[str, str]) -> dict[str, int]:
    """How many distinct values of each kind were replaced."""
    found = dict.fromkeys(KINDS, 0)
    for placeholder in originals:
        found[placeholder[1:].split("_", 1)[0]] += 1
    return found


@dataclass
class Redactor:
    """Redacts several texts with one numbering, so that a person named in two pieces gets the
    same placeholder in both."""

    known_names: Iterable[str] = ()
    regions: tuple[str, ...] = ("US", "GB", "DE")
    originals: dict[str, str] = field(default_factory=dict)
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    _known: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        parts: set[str] = set()
        for name in self.known_names:
            name = " ".join(str(name or "").split())
            if len(name) < 2:
                continue
            parts.add(name)
            parts.update(p for p in re.split(r"[\s-]+", name) if len(p) >= 2)
        if parts:
            alternatives = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
            self._known = re.compile(rf"(?<!\w)(?:{alternatives})(?:'s)?(?!\w)", re.IGNORECASE)

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value.casefold())
        if key not in self._by_value:
            number = sum(1 for k in self._by_value if k[0] == kind) + 1
            placeholder = f"[{kind}_{number}]"
            self._by_value[key] = placeholder
            self.originals[placeholder] = value
        return self._by_value[key]

    def _sub(self, pattern: re.Pattern[str], kind: str, text: str, group: int = 0) -> str:
        def replace(match: re.Match[str]) -> str:
            if group:
                value = next((g for g in match.groups() if g), None)
                if value is None or _not_a_name(value):
                    return match.group(0)
                start = match.start(match.groups().index(value) + 1) - match.start()
                whole = match.group(0)
                return whole[:start] + self._placeholder(kind, value) + whole[start + len(value) :]
            return self._placeholder(kind, match.group(0))

        return pattern.sub(replace, text)

    def _phones(self, text: str) -> str:
        spans: list[tuple[int, int]] = []
        for region in self.regions:
            for found in phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.POSSIBLE
            ):
                if not DATE.fullmatch(found.raw_string.strip()):
                    spans.append((found.start, found.end))
        for match in DIGITS.finditer(text):
            value = match.group(0).strip()
            digits = sum(c.isdigit() for c in value)
            if digits >= 7 and not DATE.fullmatch(value.strip("() ")):
                spans.append((match.start(), match.start() + len(match.group(0).rstrip())))
        for start, end in sorted(_merge(spans), reverse=True):
            if PLACEHOLDER.search(text[start:end]):
                continue
            text = text[:start] + self._placeholder("PHONE", text[start:end]) + text[end:]
        return text

    def _pairs(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            first, last = match.group("first"), match.group("last")
            if first.casefold() in NOT_NAMES or last.casefold() in NOT_NAMES:
                return match.group(0)
            name = match.group(0)[len(match.group("pre")) :]
            return match.group("pre") + self._placeholder("NAME", name)

        return PAIR.sub(replace, text)

    def redact(self, text: str) -> Redaction:
        # A placeholder the person typed themselves would be "restored" to someone else's name.
        text = PLACEHOLDER.sub(lambda m: f"({m.group(1).lower()} {m.group(2)})", text)
        text = self._sub(EMAIL, "EMAIL", text)
        text = self._sub(SPELLED_EMAIL, "EMAIL", text)
        text = self._sub(LINK, "LINK", text)
        text = self._sub(STREET, "ADDRESS", text)
        text = self._sub(STREET_EU, "ADDRESS", text)
        text = self._sub(POSTCODE, "ADDRESS", text)
        text = self._phones(text)
        if self._known is not None:
            text = self._known.sub(
                lambda m: (
                    self._placeholder("NAME", _without_possessive(m.group(0)))
                    + ("'s" if m.group(0).lower().endswith("'s") else "")
                ),
                text,
            )
        text = self._sub(CUED_NAME, "NAME", text, group=1)
        text = self._pairs(text)
        return Redaction(text=text, originals=dict(self.originals))


def _not_a_name(value: str) -> bool:
    return all(word.casefold() in NOT_NAMES for word in value.split())


def _without_possessive(value: str) -> str:
    return value[:-2] if value.lower().endswith("'s") else value


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def redact(text: str, *, known_names: Iterable[str] = ()) -> Redaction:
    return Redactor(known_names=known_names).redact(text)


def restore(answer: str, originals: dict[str, str]) -> str:
    """Put the originals back into the model's answer (for the person who asked only)."""
    return PLACEHOLDER.sub(lambda m: originals.get(m.group(0), m.group(0)), answer)
