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

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import phonenumbers

KINDS = ("NAME", "EMAIL", "PHONE", "ADDRESS", "LINK")
PLACEHOLDER = re.compile(r"\[(NAME|EMAIL|PHONE|ADDRESS|LINK)_(\d{1,4})\]")
TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")  # a word, with "O'Connor" and "Maria's"

# The patterns are written out whole (no pattern is ever assembled at run time, from data or
# otherwise: tests/security/test_asvs_controls.py). Their parts: a capitalised WORD
# "[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?", a NAME of one to three WORDs with
# particles (van, de, al, ...), TITLES (Mr, Dr, Prof, Herr, ...), and CUES that announce a
# name (my manager, my sister, my therapist, ...).
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Written out: "maria.lopez at gmail dot com", "m.lopez (at) example (dot) org"; the
# address must end in a known top-level domain, so "me at maria.lopez" is not one.
SPELLED_EMAIL = re.compile(
    r"\b[\w.+-]+\s*(?:\(at\)|\[at\]|\{at\}|\s+at\s+)\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\s+do"
    r"t\s+)\s*[\w-]+)*\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*(?:com|org|net|edu|gov|io|co|uk|de"
    r"|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|ca|us|au|in|jp|br|mx|info|biz|me)\b",
    re.IGNORECASE,
)
LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+|(?<![\w@])@[A-Za-z0-9_]{2,30}\b")
# A long run of digits with the separators phone numbers use; dates (2026-12-07, 07.12.2026)
# and plain years are not phone numbers.
DIGITS = re.compile(r"(?<![\w+])\+?\(?\d(?:[\d\s().\-/]{5,}\d)(?!\w)")
DATE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")
# "221B Baker Street", "350 Fifth Avenue", "12 Oak Rd., Apt 4".
STREET = re.compile(
    r"\b\d{1,5}[a-zA-Z]?,?\s+(?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?\s+){1"
    r",3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Way"
    r"|Court|Ct\.?|Place|Pl\.?|Square|Sq\.?|Terrace|Close|Crescent|Row|Parkway|Highway)(?![\w]"
    r")(?:,?\s+(?:Apt\.?|Suite|Unit|Flat)\s*\w+)?"
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
# A name announced by a cue ("my manager Tom Becker"), a title ("Dr. Ito") or a verb or
# preposition ("met with Anna Schmidt", "ask Priya"); group 1, 2 or 3 is the name.
CUED_NAME = re.compile(
    r"(?i:\b(?:my|our|his|her|their|the|a|new|old|former)\s+(?:manager|boss|colleague|co-?work"
    r"er|friend|sister|brother|mother|mom|mum|father|dad|husband|wife|partner|son|daughter|sup"
    r"ervisor|lead|director|mentor|mentee|teammate|client|recruiter|coach|teacher|professor|ne"
    r"ighbou?r|cousin|aunt|uncle|fiancée?|girlfriend|boyfriend|roommate|CEO|CTO|VP|HR|report|i"
    r"ntern|peer|founder|therapist|doctor),?\s+)(?!(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Sr|Sra)\b"
    r")(?-i:([A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?(?:\s+(?:van|von|de|da|de"
    r"l|der|di|le|la|bin|al)?\s*[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?){0,2}"
    r"))|\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Sr|Sra)\.?\s+([A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ"
    r"-ÖØ-Þ]?[a-zß-öø-ÿ]+)?(?:\s+(?:van|von|de|da|del|der|di|le|la|bin|al)?\s*[A-ZÀ-ÖØ-Þ][a-zß"
    r"-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?){0,2})|(?i:\b(?:named|called|name is|hi|hello|d"
    r"ear|thanks|cheers|regards|cc|ask|asked|tell|told|met|meet|email|e-mail|call|text|ping|wi"
    r"th|from|to|and|by|for|about)\s+)(?!(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Sr|Sra)\b)(?-i:([A-"
    r"ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?(?:\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'"
    r"][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?)?))"
)
# Two capitalised words in the middle of a sentence ("to present with Tom Becker"); at the start
# of a sentence or in a Title Case goal they are usually not a name.
PAIR = re.compile(
    r"(?P<pre>(?<!\w)[a-zß-ÿ][a-zß-ÿ']*[,;:]?\s+|[,;:(]\s*)(?P<first>[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?"
    r":[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?)\s+(?P<last>[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a"
    r"-zß-öø-ÿ]+)?)\b"
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
# Everyday words that are also someone's given name somewhere ("Will", "May", "Grace", "The"):
# at the start of a sentence they are taken as words unless a surname follows ("Mark Chen").
_COMMON_WORDS_TEXT = """
a an and are art as at be been bill can could do did does even ever five for go grace guy he
her here hi his hope how i in is it its job joy just king let long love made major mark may me
my no not now ok okay on one or our per ping ran red rock run said say see she so sun sunny
take tell than that the then they this to too up us was we were what when who why will win
with won yes you your
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split()) | NOT_NAMES
TITLE_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?")
# At the start of a sentence a capitalised word is not yet a name ("Due on Friday"): it is
# taken as one when a surname follows, or a word that usually follows a person.
PERSON_NEXT = frozenset(
    [
        "said",
        "says",
        "told",
        "tells",
        "thinks",
        "thought",
        "asked",
        "asks",
        "wants",
        "wanted",
        "suggested",
        "suggests",
        "mentioned",
        "agreed",
        "agrees",
        "and",
        "is",
        "was",
        "will",
        "would",
        "has",
        "had",
        "can",
        "could",
        "knows",
        "knew",
        "feels",
        "felt",
        "believes",
        "recommended",
        "recommends",
        "offered",
        "offers",
        "called",
        "emailed",
        "texted",
        "replied",
        "wrote",
        "says",
        "mentors",
        "manages",
        "leads",
        "helped",
        "helps",
        "introduced",
        "promised",
    ]
)
SENTENCE_END = frozenset(".!?\n\"'-•*:")


@cache
def given_names() -> frozenset[str]:
    """Some 60,000 given names from many countries (gender-guesser's name dictionary), folded
    to lower case; loaded on first use (about 0.2 s, once per process)."""
    from gender_guesser.detector import Detector

    return frozenset(Detector(case_sensitive=False).names)


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
    _known: set[tuple[str, ...]] = field(default_factory=set)
    _longest: int = 0
    _first: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        # Names are matched as sequences of words, not by a pattern built from them (a pattern
        # is never assembled from data): "Maria Lopez", "Maria", "Lopez", in any case.
        for name in self.known_names:
            words = tuple(w.casefold() for w in TOKEN.findall(str(name or "")))
            if not words or sum(len(w) for w in words) < 2:
                continue
            self._known.add(words)
            self._known.update((w,) for w in words if len(w) >= 2)
        self._longest = max((len(k) for k in self._known), default=0)
        self._first = {k[0] for k in self._known}

    def _known_names(self, text: str) -> str:
        tokens = list(TOKEN.finditer(text))
        replaced: list[tuple[int, int, str]] = []
        i = 0
        while i < len(tokens):
            if _without_possessive(tokens[i].group(0).casefold()) not in self._first:
                i += 1
                continue
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                run = tokens[i : i + size]
                words = [t.group(0).casefold() for t in run]
                words[-1] = _without_possessive(words[-1])
                gaps = [text[a.end() : b.start()] for a, b in itertools.pairwise(run)]
                if tuple(words) in self._known and all(g.isspace() for g in gaps):
                    start, end = run[0].start(), run[-1].end()
                    value = _without_possessive(text[start:end])
                    replaced.append((start, start + len(value), self._placeholder("NAME", value)))
                    i += size
                    break
            else:
                i += 1
        for start, end, placeholder in reversed(replaced):
            text = text[:start] + placeholder + text[end:]
        return text

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
        # A run of seven digits or more is taken as a phone number as it stands; phonenumbers
        # decides on the shorter runs, reading only a window around each: matching it over the
        # whole text in each region cost ~20 ms for 2,000 characters (bench_ai_gateway.py).
        spans: list[tuple[int, int]] = []
        for match in DIGITS.finditer(text):
            value = match.group(0).strip()
            if DATE.fullmatch(value.strip("() ")):
                continue
            if sum(c.isdigit() for c in value) >= 7:
                spans.append((match.start(), match.start() + len(match.group(0).rstrip())))
                continue
            left = max(0, match.start() - 4)
            window = text[left : match.end() + 4]
            for region in self.regions:
                for found in phonenumbers.PhoneNumberMatcher(
                    window, region, leniency=phonenumbers.Leniency.POSSIBLE
                ):
                    spans.append((left + found.start, left + found.end))
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

    def _given_names(self, text: str) -> str:
        """A capitalised given name with nothing announcing it ("Yesterday Priya told me",
        "Tom Becker said yes"), with the capitalised word after it as the surname. At the start
        of a sentence it needs a surname or a word that follows a person ("Sofia thinks"); an
        everyday word that is also a name ("Will", "Due") counts there only with a surname.
        Names written in lower case are not found (docs/privacy.md says so)."""
        names = given_names()
        words = list(TITLE_WORD.finditer(text))
        replaced: list[tuple[int, int]] = []
        skip_until = -1
        for index, word in enumerate(words):
            if word.start() < skip_until:
                continue
            folded = _without_possessive(word.group(0)).casefold()
            if folded not in names or folded in NOT_NAMES:
                continue
            end = word.start() + len(_without_possessive(word.group(0)))
            following = words[index + 1] if index + 1 < len(words) else None
            surname = (
                following is not None
                and text[word.end() : following.start()] == " "
                and following.group(0).casefold() not in COMMON_WORDS
            )
            if surname and following is not None:
                end = following.start() + len(_without_possessive(following.group(0)))
            before = text[: word.start()].rstrip()
            starts_sentence = not before or before[-1] in SENTENCE_END
            if starts_sentence and not surname:
                after = text[word.end() :].split(None, 1)
                next_word = after[0].strip(",.;:!?").casefold() if after else ""
                if folded in COMMON_WORDS or next_word not in PERSON_NEXT:
                    continue
            replaced.append((word.start(), end))
            skip_until = end
        for start, end in reversed(replaced):
            text = text[:start] + self._placeholder("NAME", text[start:end]) + text[end:]
        return text

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
        if self._known:
            text = self._known_names(text)
        text = self._sub(CUED_NAME, "NAME", text, group=1)
        text = self._pairs(text)
        text = self._given_names(text)
        return Redaction(text=text, originals=dict(self.originals))


def _not_a_name(value: str) -> bool:
    return all(word.casefold() in NOT_NAMES for word in value.split())


def _without_possessive(value: str) -> str:
    return value[:-2] if value.lower().endswith(("'s", "\u2019s")) else value


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
