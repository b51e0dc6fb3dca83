"""The questionnaire: questions and answers. Sensitive answers are stored only while their
author consents to matching with sensitive answers (the consent app records that consent)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.selectors import consenting_query, has_consent
from mentorhaven.kernel.errors import Conflict, ValidationFailed
from mentorhaven.kernel.inventory import Category
from mentorhaven.matching.models import (
    Answer,
    ParticipantRole,
    Profile,
    Question,
)
from mentorhaven.matching.services._common import (
    MAX_OPTIONS,
    MAX_WEIGHT,
    _audit,
    _require_admin,
    _require_role,
)
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.programs.models import Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _clean_question(fields: dict[str, Any]) -> dict[str, Any]:
    kind = fields["kind"]
    if kind not in Question.Kind.values:
        raise ValidationFailed(_("Choose a question type."), code="bad_kind")
    if fields.get("audience", "both") not in Question.Audience.values:
        raise ValidationFailed(_("Choose who answers the question."), code="bad_audience")
    if str(fields.get("category", Category.PROFESSIONAL)) not in Category.__members__.values():
        raise ValidationFailed(_("Choose a data category."), code="bad_category")
    prompt = str(fields.get("prompt", "")).strip()
    if not prompt or len(prompt) > 300:
        raise ValidationFailed(_("Write the question (at most 300 characters)."), code="bad_prompt")
    fields["prompt"] = prompt
    options: list[dict[str, str]] = []
    for item in fields.get("options") or []:
        value, label = (item, item) if isinstance(item, str) else (item["value"], item["label"])
        value, label = str(value).strip(), str(label).strip()
        if value and value not in [o["value"] for o in options]:
            options.append({"value": value[:80], "label": (label or value)[:120]})
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTI):
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise ValidationFailed(
                _("A choice question needs 2 to 50 options."), code="bad_options"
            )
    else:
        options = []
    fields["options"] = options
    if kind == Question.Kind.SCALE and not (
        0 <= fields.get("scale_min", 1) < fields.get("scale_max", 5) <= 100
    ):
        raise ValidationFailed(_("The scale's top must be above its bottom."), code="bad_scale")
    weight = float(fields.get("weight", 1.0))
    if not 0.0 <= weight <= MAX_WEIGHT:
        raise ValidationFailed(_("The weight must be between 0 and 10."), code="bad_weight")
    fields["weight"] = weight
    if fields.get("sensitive"):
        fields["required"] = False  # sensitive questions are always optional
    return fields


@transaction.atomic
def question_create(*, actor: User, program: Program, **fields: Any) -> Question:
    _require_admin(actor, program)
    fields = _clean_question(fields)
    position = Question.objects.filter(program=program).count()
    question = Question.objects.create(program=program, position=position, **fields)
    suggestions_mark_stale(program=program)
    _audit(
        "matching.question_create",
        actor=actor,
        program=program,
        target=question,
        purpose="Questionnaire set-up",
        extra={"sensitive": question.sensitive},
    )
    return question


@transaction.atomic
def question_update(*, actor: User, question: Question, **fields: Any) -> Question:
    """Change a question. Its kind cannot change once someone has answered it: the stored
    answers would no longer fit."""
    _require_admin(actor, question.program)
    merged = {
        name: getattr(question, name)
        for name in (
            "kind",
            "audience",
            "prompt",
            "options",
            "scale_min",
            "scale_max",
            "category",
            "used_for_matching",
            "weight",
            "sensitive",
            "required",
        )
    }
    merged.update(fields)
    if merged["kind"] != question.kind and question.answers.exists():
        raise Conflict(
            _("People have answered this question: its type cannot change."), code="answered"
        )
    became_sensitive = merged["sensitive"] and not question.sensitive
    for name, value in _clean_question(merged).items():
        setattr(question, name, value)
    question.save()
    suggestions_mark_stale(program=question.program)
    removed = 0
    if became_sensitive:
        # Answers given before the question was marked sensitive were not given with consent:
        # keep only those of people who consent to matching with sensitive answers.
        removed, _by_model = (
            Answer.objects.filter(question=question)
            .exclude(user_id__in=consenting_query(Purpose.MATCHING_SENSITIVE))
            .delete()
        )
    _audit(
        "matching.question_update",
        actor=actor,
        program=question.program,
        target=question,
        purpose="Questionnaire set-up",
        extra={"sensitive": question.sensitive, "answers_deleted": removed},
    )
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    """Delete a question with every answer and consent given to it."""
    _require_admin(actor, question.program)
    program, public_id = question.program, question.public_id
    question.delete()
    suggestions_mark_stale(program=program)
    _audit(
        "matching.question_delete",
        actor=actor,
        program=program,
        target=("matching.question", public_id),
        purpose="Questionnaire set-up",
    )


def _clean_answer(question: Question, raw: Any) -> Any:
    """The value to store, or None for "not answered"."""
    if raw in (None, "", []):
        return None
    if question.kind == Question.Kind.SINGLE:
        if str(raw) not in question.option_values:
            raise ValidationFailed(
                _("Choose one of the options."),
                code="bad_answer",
                extra={"question": str(question.public_id)},
            )
        return str(raw)
    if question.kind == Question.Kind.MULTI:
        values = sorted({str(v) for v in (raw if isinstance(raw, list | tuple | set) else [raw])})
        if any(v not in question.option_values for v in values):
            raise ValidationFailed(
                _("Choose among the options."),
                code="bad_answer",
                extra={"question": str(question.public_id)},
            )
        return values
    if question.kind == Question.Kind.SCALE:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = None
        if number is None or not question.scale_min <= number <= question.scale_max:
            raise ValidationFailed(
                _("Pick a point on the scale."),
                code="bad_answer",
                extra={"question": str(question.public_id)},
            )
        return number
    text = str(raw).strip()
    if len(text) > 2000:
        raise ValidationFailed(
            _("Keep the answer under 2,000 characters."),
            code="bad_answer",
            extra={"question": str(question.public_id)},
        )
    return text or None


@transaction.atomic
def questionnaire_submit(
    *,
    actor: User,
    program: Program,
    role: str,
    answers: Mapping[Question, Any],
    sensitive_consent: bool | None = None,
    headline: str = "",
    goals: str = "",
    capacity: int | None = None,
    paused: bool | None = None,
) -> Profile:
    """Save the participant's profile and answers (encrypted under their key).
    ``sensitive_consent`` (when given) is the participant's choice in the questionnaire's
    consent box for matching with sensitive answers: ticking it records the consent, unticking
    it withdraws it (which deletes every sensitive answer). A sensitive answer is refused
    unless the consent holds once the choice is applied: it is never stored without it."""
    _require_role(actor, program, role)
    questions = {q.pk: q for q in Question.objects.filter(program=program)}
    for question in answers:
        if question.pk not in questions or not question.asks(role):
            raise ValidationFailed(
                _("That question is not in your questionnaire."), code="bad_question"
            )
    cleaned = {q: _clean_answer(q, raw) for q, raw in answers.items()}
    missing = [
        q
        for q in questions.values()
        if q.asks(role) and q.required and not q.sensitive and cleaned.get(q) is None
    ]
    if missing:
        raise ValidationFailed(
            _("Please answer the required questions."),
            code="required",
            extra={"questions": [str(q.public_id) for q in missing]},
        )
    consent_after = (
        has_consent(actor, Purpose.MATCHING_SENSITIVE)
        if sensitive_consent is None
        else sensitive_consent
    )
    if not consent_after and any(q.sensitive and v is not None for q, v in cleaned.items()):
        raise ValidationFailed(
            _(
                "Sensitive answers are kept only with your consent: tick the consent box, or "
                "leave the sensitive questions empty."
            ),
            code="consent_required",
        )
    if len(headline) > 200 or len(goals) > 5000:
        raise ValidationFailed(_("The headline or goals are too long."), code="too_long")
    if sensitive_consent is not None:
        from mentorhaven.consent.services import consent_give, consent_withdraw

        if sensitive_consent:
            consent_give(
                actor=actor, purpose=Purpose.MATCHING_SENSITIVE, method=Method.QUESTIONNAIRE
            )
        else:
            consent_withdraw(
                actor=actor, purpose=Purpose.MATCHING_SENSITIVE, method=Method.QUESTIONNAIRE
            )
    profile, _created = Profile.objects.get_or_create(program=program, user=actor, role=role)
    profile.headline = headline.strip() or None  # nothing to encrypt when left empty
    profile.goals = goals.strip() or None
    if role == ParticipantRole.MENTOR:
        if capacity is not None:
            if not 0 <= capacity <= 20:
                raise ValidationFailed(_("Capacity must be between 0 and 20."), code="bad_capacity")
            profile.capacity = capacity
        if paused is not None:
            profile.paused = paused
    profile.updated_at = timezone.now()
    profile.save()
    existing = {a.question_id: a for a in Answer.objects.filter(profile=profile)}
    for question, value in cleaned.items():
        answer = existing.get(question.pk)
        if value is None:
            if answer is not None:
                answer.delete()
        elif answer is None:
            Answer.objects.create(profile=profile, question=question, user=actor, value=value)
        else:
            answer.value = value
            answer.updated_at = timezone.now()
            answer.save()
    suggestions_mark_stale(program=program)
    _audit(
        "matching.questionnaire_submit",
        actor=actor,
        program=program,
        target=profile,
        subject=actor,
        purpose="Matching profile",
        category=Category.PERSONAL,
        extra={"answers": sum(v is not None for v in cleaned.values())},
    )
    return profile
