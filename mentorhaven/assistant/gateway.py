"""The AI gateway: the one place in MentorHaven that calls a language model.

Every assistant feature hands its prompt here as ``Piece``s — a value read from an inventory
field, whose person it is about, and what kind of data it is — and gets an ``Answer`` back.
Before anything leaves:

1. the organization has turned AI assistance on and configured its own endpoint;
2. every person whose data is in the prompt consents to AI assistance now (and has no
   restriction in force: ``consent.processing``); a withdrawal stops the very next call;
3. every piece comes from a field declared usable for AI in the data inventory
   (``Field.uses``): data minimisation by declaration;
4. names, e-mail addresses, phone numbers, addresses and links are replaced by placeholders
   (``redaction``); the answer's placeholders are put back for the person who asked only;
5. the organization's monthly token budget is not spent.

Then one HTTP POST to the organization's OpenAI-compatible ``/v1/chat/completions`` endpoint
(a self-hosted vLLM, llama.cpp or Ollama), with timeouts. After it: the tokens are counted
against the budget and one audit event per person whose data was sent records the feature,
the kinds of data, the placeholders used, the model and the token counts — never the prompt or
the answer. Nothing else is stored: a suggestion is kept only when its person accepts it.

A test fails when any other module of MentorHaven opens an HTTP connection (tests/assistant/
test_gateway_only.py).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorhaven.assistant.models import AssistantSettings, TokenUsage
from mentorhaven.assistant.redaction import Redactor, count_placeholders, restore
from mentorhaven.consent import processing
from mentorhaven.consent.domain import Purpose
from mentorhaven.kernel import audit, inventory
from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.programs.models import Organization

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

AI = Purpose.AI.value


class AssistantUnavailable(ApplicationError):
    """The assistant cannot answer now; ``code`` says why, the message says what to do."""

    status = 409
    code = "assistant_unavailable"
    default_message = _("The AI assistant is not available.")


class NotEnabled(AssistantUnavailable):
    code = "assistant_off"
    default_message = _(
        "AI assistance is off in your organization. An organization admin can turn it on, with "
        "the organization's own model endpoint (see the operations guide, 'AI assistance')."
    )


class NoConsent(AssistantUnavailable):
    code = "assistant_no_consent"
    default_message = _(
        "AI assistance needs the consent of everyone whose data it would use. You can give or "
        "withdraw yours on your privacy page, under 'Your consents'."
    )


class BudgetExhausted(AssistantUnavailable):
    code = "assistant_budget"
    default_message = _(
        "Your organization has used this month's AI budget. Suggestions are available again "
        "next month, or when an admin raises the budget."
    )


class EndpointDown(AssistantUnavailable):
    status = 503
    code = "assistant_endpoint_down"
    default_message = _(
        "The AI assistant's model server did not answer. Nothing was stored; please try again "
        "later. If it keeps happening, tell your organization admin."
    )


class NotDeclared(ApplicationError):
    """A feature tried to send a field the inventory does not declare usable for AI: a bug."""

    status = 500
    code = "assistant_not_declared"
    default_message = _(
        "The AI assistant tried to use data that is not declared for AI assistance. Nothing was "
        "sent."
    )


@dataclass(frozen=True)
class Feature:
    code: str  # "goal_coach": the audit action is "assistant.<code>"
    label: Any  # (lazy) translatable name shown on the privacy page
    instructions: str  # the system prompt (written here, in the code; never user input)
    max_tokens: int = 600


@dataclass(frozen=True)
class Piece:
    field: str  # the inventory field the text was read from: "mentoring.goal.title"
    subject: User  # whose data it is
    text: str
    kind: str  # a short code shown to the person: "goals", "shared_notes", "survey_answers"


@dataclass
class Answer:
    text: str  # with the originals put back: for the person who asked only
    model: str
    kinds: list[str]
    prompt_tokens: int
    completion_tokens: int
    placeholders: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    """What would be sent, after every check and the redaction (``prepare``)."""

    config: AssistantSettings
    subjects: list[User]
    messages: list[dict[str, str]]
    originals: dict[str, str]
    kinds: list[str]
    category: str


SYSTEM_RULES = (
    "Text in square brackets such as [NAME_1], [EMAIL_1], [PHONE_1], [ADDRESS_1] or [LINK_1] "
    "stands for a person, an address or a number that was removed for privacy. Keep each one "
    "exactly as written when you refer to it, never guess what it stands for, and never invent "
    "names, addresses or numbers."
)


def _org_id(organization: Organization | int) -> int:
    return organization.pk if isinstance(organization, Organization) else int(organization)


def settings_for(organization: Organization | int) -> AssistantSettings | None:
    org_id = _org_id(organization)
    return AssistantSettings.objects.filter(organization_id=org_id).first()


def month_of(moment: date | None = None) -> date:
    today = moment or timezone.now().date()
    return today.replace(day=1)


def tokens_used(organization: Organization | int, month: date | None = None) -> int:
    org_id = _org_id(organization)
    found = (
        TokenUsage.objects.filter(organization_id=org_id, month=month_of(month))
        .values_list("tokens", flat=True)
        .first()
    )
    return int(found or 0)


def known_names(people: Iterable[User]) -> list[str]:
    names: list[str] = []
    for person in people:
        for attribute in ("display_name", "first_name", "last_name", "full_name", "name"):
            value = getattr(person, attribute, None)
            if isinstance(value, str) and value.strip():
                names.append(value)
        local = str(getattr(person, "email", "") or "").split("@", 1)[0]
        names.extend(p for p in re.split(r"[._+-]", local) if len(p) >= 3)
    return names


def _check_declared(pieces: Sequence[Piece]) -> None:
    for piece in pieces:
        if not inventory.usable_for(piece.field, AI):
            raise NotDeclared(extra={"field": piece.field})


def _category(pieces: Sequence[Piece]) -> str:
    present = set()
    for piece in pieces:
        model, _dot, name = piece.field.lower().rpartition(".")
        declaration = inventory.REGISTRY[model]
        present.add(declaration.fields[name].category)
    return str(next(c for c in inventory.SENSITIVITY if c in present)) if present else ""


def prepare(
    *,
    feature: Feature,
    organization: Organization,
    pieces: Sequence[Piece],
    names: Iterable[str] = (),
) -> Prepared:
    """Every check, then the redacted messages: raises ``AssistantUnavailable`` or
    ``NotDeclared`` rather than let anything out that may not go."""
    config = settings_for(organization)
    if config is None or not config.configured:
        raise NotEnabled()
    subjects = list({piece.subject.pk: piece.subject for piece in pieces}.values())
    if not subjects or processing.allowed(AI, [s.pk for s in subjects]) != {s.pk for s in subjects}:
        raise NoConsent()
    _check_declared(pieces)
    if tokens_used(organization) + feature.max_tokens > config.monthly_token_budget:
        raise BudgetExhausted()
    redactor = Redactor(
        known_names=[*known_names(subjects), *names],
        regions=tuple(getattr(settings, "AI_PHONE_REGIONS", ("US", "GB", "DE"))),
    )
    kinds: list[str] = []
    lines = []
    for piece in pieces:
        if piece.kind not in kinds:
            kinds.append(piece.kind)
        lines.append(f"{piece.kind}: {redactor.redact(piece.text).text}")
    messages = [
        {"role": "system", "content": f"{feature.instructions}\n\n{SYSTEM_RULES}"},
        {"role": "user", "content": "\n".join(lines)},
    ]
    return Prepared(
        config=config,
        subjects=subjects,
        messages=messages,
        originals=dict(redactor.originals),
        kinds=kinds,
        category=_category(pieces),
    )


def _endpoint(base_url: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/chat/completions" if base.endswith("/v1") else f"{base}/v1/chat/completions"


def _api_key(config: AssistantSettings) -> str:
    if not config.key_file:
        return ""
    try:
        return Path(config.key_file).read_text().strip()
    except OSError as error:
        raise EndpointDown() from error


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A model server answers; it does not send the prompt on elsewhere (a redirect could
    point at another host or at an ftp:// address): a 3xx is an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def post_chat(
    *, url: str, payload: dict[str, Any], api_key: str = "", timeout: float = 30.0
) -> dict[str, Any]:
    """One POST of a chat-completions request; the parsed JSON answer. ``EndpointDown`` on a
    refused connection, a timeout, an HTTP error or an answer that is not JSON."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        # Checked again here, not only when the setting is saved: a row changed in the
        # database must not make the server read a local file or speak another protocol.
        raise EndpointDown()
    body = json.dumps(payload).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            found = json.loads(response.read(2_000_000).decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise EndpointDown() from error
    if not isinstance(found, dict):
        raise EndpointDown()
    return found


def _content(found: dict[str, Any]) -> tuple[str, int, int]:
    try:
        text = str(found["choices"][0]["message"]["content"] or "")
    except (KeyError, IndexError, TypeError) as error:
        raise EndpointDown() from error
    usage = found.get("usage") or {}
    return text, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)


def model_code(model: str) -> str:
    """The model's name as a short audit code ("qwen2.5-7b-instruct" -> "qwen2.5_7b_instruct")."""
    code = re.sub(r"[^A-Za-z0-9_.]", "_", model)[:24]
    return code if code[:1].isalpha() else f"m{code[:23]}"


def _count(organization: Organization, tokens: int) -> None:
    month = month_of()
    updated = TokenUsage.objects.filter(organization=organization, month=month).update(
        tokens=F("tokens") + tokens, calls=F("calls") + 1
    )
    if not updated:
        try:
            with transaction.atomic():
                TokenUsage.objects.create(
                    organization=organization, month=month, tokens=tokens, calls=1
                )
        except IntegrityError:  # a parallel call created the month's row first
            TokenUsage.objects.filter(organization=organization, month=month).update(
                tokens=F("tokens") + tokens, calls=F("calls") + 1
            )


def record_call(
    *,
    feature: Feature,
    actor: User,
    organization: Organization,
    prepared: Prepared,
    prompt_tokens: int,
    completion_tokens: int,
    outcome: str,
) -> None:
    """The budget and one audit event per person whose data was sent (their privacy page lists
    it). Counts and codes only: ``audit.record`` refuses text."""
    placeholders = count_placeholders(prepared.originals)
    extra: dict[str, Any] = {
        "feature": feature.code,
        "kinds": list(prepared.kinds),
        "model": model_code(prepared.config.model),
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "subjects": len(prepared.subjects),
        "outcome": outcome,
        **{f"{kind.lower()}_placeholders": count for kind, count in placeholders.items()},
    }
    common: dict[str, Any] = {
        "action": f"assistant.{feature.code}",
        "purpose": f"AI assistance: {feature.code.replace('_', ' ')}",
        "category": prepared.category,
        "organization": organization,
        "extra": extra,
    }
    with transaction.atomic():
        _count(organization, prompt_tokens + completion_tokens)
        others = [s for s in prepared.subjects if s.pk != actor.pk]
        if len(others) < len(prepared.subjects):  # the person asked about their own data
            audit.record(actor=actor, subject=actor, **common)
        if others:  # one event each, in one INSERT
            audit.record_access(viewer=actor, subjects=others, **common)


def ask(
    *,
    feature: Feature,
    actor: User,
    organization: Organization,
    pieces: Sequence[Piece],
    names: Iterable[str] = (),
    restore_placeholders: bool = True,
) -> Answer:
    """Ask the organization's model, through every check above. Raises ``NotEnabled``,
    ``NoConsent``, ``BudgetExhausted`` or ``EndpointDown`` with a message for the person.

    ``restore_placeholders=False`` when the asker is not the person whose data it is (program
    themes for a coordinator): the answer keeps its placeholders, and the feature drops them."""
    prepared = prepare(feature=feature, organization=organization, pieces=pieces, names=names)
    config = prepared.config
    payload = {
        "model": config.model,
        "messages": prepared.messages,
        "max_tokens": feature.max_tokens,
        "temperature": 0.3,
        "stream": False,
    }
    text, prompt_tokens, completion_tokens, outcome = "", 0, 0, "failed"
    try:
        found = post_chat(
            url=_endpoint(config.base_url),
            payload=payload,
            api_key=_api_key(config),
            timeout=float(getattr(settings, "AI_TIMEOUT_SECONDS", 30)),
        )
        text, prompt_tokens, completion_tokens = _content(found)
        outcome = "answered"
    finally:
        # A failed request may have reached the server before it failed: recorded as sent.
        record_call(
            feature=feature,
            actor=actor,
            organization=organization,
            prepared=prepared,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            outcome=outcome,
        )
    return Answer(
        text=restore(text, prepared.originals) if restore_placeholders else text,
        model=config.model,
        kinds=list(prepared.kinds),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        placeholders=count_placeholders(prepared.originals),
    )
