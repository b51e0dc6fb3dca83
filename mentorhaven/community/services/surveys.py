"""Writes about program surveys: publish, answer, close.

An anonymous answer is never written beside its respondent. Answering records the completion
(who answered, without a time) and a *pending ballot*: the answers sealed under the survey's key
with AES-256-GCM, unreadable from a copy of the database without the master key. Once ``BATCH``
ballots wait, they are opened and written out as answers in a random order, with random ids,
and the ballots are deleted; closing the survey writes out the rest and then rewrites every
answer of the survey once more in a new random order. So neither ids, nor row order, nor any
time joins the answers to the completions: at most, someone comparing two copies of the
database taken around one batch learns that a person's answers are among that batch's.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.community.access import community_programs
from mentorhaven.community.models import (
    AnonymousAnswer,
    ConfidentialAnswer,
    PendingBallot,
    Survey,
    SurveyCompletion,
    SurveyQuestion,
)
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Program

BATCH = 5
SCALE = range(1, 6)
MAX_QUESTIONS, MAX_OPTIONS, TEXT_LIMIT = 30, 12, 5_000
_random = secrets.SystemRandom()


# --- the survey's key ----------------------------------------------------------------------------


def _new_key(survey: Survey) -> None:
    key = secrets.token_bytes(vault.KEY_BYTES)
    survey.kek_version = vault.key_provider().current_version()
    survey.wrapped_key = vault.wrap_data_key(
        str(survey.public_id), key, survey.kek_version, purpose=vault.SURVEY_KEY
    )


def _key(survey: Survey) -> bytes:
    return vault.unwrap_data_key(
        str(survey.public_id), survey.wrapped_key, survey.kek_version, purpose=vault.SURVEY_KEY
    )


def seal(key: bytes, data: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(vault.NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def unseal(key: bytes, sealed: bytes | memoryview, aad: bytes) -> bytes:
    raw = bytes(sealed)
    return AESGCM(key).decrypt(raw[: vault.NONCE_BYTES], raw[vault.NONCE_BYTES :], aad)


def _ballot_aad(survey: Survey) -> bytes:
    return f"survey-ballot\x1f{survey.public_id}".encode()


def answer_aad(survey: Survey, question_id: Any) -> bytes:
    """Free text of an anonymous answer is bound to its survey and question (not to its row:
    rows are rewritten with new ids when they are shuffled)."""
    return f"survey-answer\x1f{survey.public_id}\x1f{question_id}".encode()


def open_text(survey: Survey, answer: AnonymousAnswer, key: bytes | None = None) -> str | None:
    if answer.text is None:
        return None
    question = SurveyQuestion.objects.get(pk=answer.question_id).public_id
    return unseal(key or _key(survey), answer.text, answer_aad(survey, question)).decode()


# --- publish -------------------------------------------------------------------------------------


def _clean_questions(questions: list[dict]) -> list[dict]:
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise ValidationFailed(_("A survey has 1 to 30 questions."), code="bad_questions")
    cleaned = []
    for item in questions:
        kind = str(item.get("kind", ""))
        prompt = str(item.get("prompt", "")).strip()
        options = [str(o).strip() for o in item.get("options") or [] if str(o).strip()]
        if kind not in SurveyQuestion.Kind.values:
            raise ValidationFailed(
                _("A question is a choice, a scale or free text."), code="bad_kind"
            )
        if not prompt or len(prompt) > 300:
            raise ValidationFailed(_("Each question needs a prompt of at most 300 characters."))
        if kind == SurveyQuestion.Kind.CHOICE and not 2 <= len(options) <= MAX_OPTIONS:
            raise ValidationFailed(_("A choice question has 2 to 12 options."), code="bad_options")
        if any(len(o) > 120 for o in options):
            raise ValidationFailed(_("An option has at most 120 characters."), code="bad_options")
        cleaned.append(
            {"kind": kind, "prompt": prompt, "options": options if kind == "choice" else []}
        )
    return cleaned


@transaction.atomic
def survey_create(
    *, actor: User, program: Program, title: str, intro: str = "", mode: str, questions: list[dict]
) -> Survey:
    """Publish a survey in a program the actor runs. Its mode is fixed once published: the
    respondents were told it before answering."""
    if not administered_programs(actor).filter(pk=program.pk).exists():
        raise PermissionDenied()
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(_("Give a title of at most 200 characters."), code="bad_title")
    if mode not in Survey.Mode.values:
        raise ValidationFailed(_("Choose anonymous or confidential."), code="bad_mode")
    if len(intro or "") > 2000:
        raise ValidationFailed(_("The introduction is too long."), code="too_long")
    cleaned = _clean_questions(questions)
    survey = Survey(
        program=program, author=actor, title=title, intro=(intro or "").strip(), mode=mode
    )
    _new_key(survey)
    survey.save()
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=i, **q) for i, q in enumerate(cleaned, start=1)
    )
    audit.record(
        action="survey.create",
        actor=actor,
        target=survey,
        subject=actor,
        purpose="Survey published",
        category="program",
        organization=program.organization_id,
        extra={"questions": len(cleaned), "anonymous": survey.is_anonymous},
    )
    return survey


# --- answer --------------------------------------------------------------------------------------


def _clean_answers(survey: Survey, answers: dict[str, Any]) -> list[dict]:
    """The answers by question public id → rows of (question pk, choice, scale, text)."""
    questions = {str(q.public_id): q for q in survey.questions.all()}
    unknown = set(map(str, answers)) - set(questions)
    if unknown:
        raise ValidationFailed(
            _("An answer names a question not in this survey."), code="bad_question"
        )
    rows = []
    for key, question in questions.items():
        value = answers.get(key)
        if value is None or value == "":
            continue  # every question may be skipped
        row: dict[str, Any] = {"question": question.pk, "choice": None, "scale": None, "text": None}
        if question.kind == SurveyQuestion.Kind.CHOICE:
            try:
                index = int(value)
            except (TypeError, ValueError):
                index = -1
            if not 0 <= index < len(question.options):
                raise ValidationFailed(_("Pick one of the offered options."), code="bad_choice")
            row["choice"] = index
        elif question.kind == SurveyQuestion.Kind.SCALE:
            try:
                level = int(value)
            except (TypeError, ValueError):
                level = 0
            if level not in SCALE:
                raise ValidationFailed(_("A scale answer is 1 to 5."), code="bad_scale")
            row["scale"] = level
        else:
            text = str(value).strip()
            if len(text) > TEXT_LIMIT:
                raise ValidationFailed(_("This text is too long."), code="too_long")
            if not text:
                continue
            row["text"] = text
        rows.append(row)
    if not rows:
        raise ValidationFailed(_("Answer at least one question."), code="empty")
    return rows


@transaction.atomic
def survey_respond(*, actor: User, survey: Survey, answers: dict[str, Any]) -> SurveyCompletion:
    """Answer a survey once. Anonymous: a completion without time, and a sealed ballot that is
    written out with others in a shuffled batch. Confidential: answers linked to the actor."""
    survey = Survey.objects.select_for_update().select_related("program").get(pk=survey.pk)
    if not community_programs(actor).filter(pk=survey.program_id).exists():
        raise NotFound()
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("This survey is closed."), code="closed")
    if SurveyCompletion.objects.filter(survey=survey, user=actor).exists():
        raise Conflict(_("You have already answered this survey."), code="answered")
    rows = _clean_answers(survey, answers)
    completion = SurveyCompletion.objects.create(survey=survey, user=actor)
    if survey.is_anonymous:
        PendingBallot.objects.create(
            survey=survey,
            sealed=seal(_key(survey), json.dumps(rows).encode(), _ballot_aad(survey)),
        )
        if PendingBallot.objects.filter(survey=survey).count() >= BATCH:
            release_ballots(survey)
    else:
        questions = {q.pk: q for q in survey.questions.all()}
        for row in rows:
            ConfidentialAnswer(
                survey=survey,
                respondent=actor,
                question=questions[row["question"]],
                choice=row["choice"],
                scale=row["scale"],
                text=row["text"],
            ).save()
    # The event names the person and the survey, never the answers: it says no more than the
    # completion row.
    audit.record(
        action="survey.respond",
        actor=actor,
        target=survey,
        subject=actor,
        purpose="Survey answered",
        category="program",
        organization=survey.program.organization_id,
    )
    return completion


def release_ballots(survey: Survey) -> int:
    """Open every waiting ballot of the survey and write its answers out in a random order with
    random ids; delete the ballots. Under the caller's lock on the survey."""
    ballots = list(PendingBallot.objects.filter(survey=survey))
    if not ballots:
        return 0
    key = _key(survey)
    questions = dict(SurveyQuestion.objects.filter(survey=survey).values_list("pk", "public_id"))
    answers = []
    for ballot in ballots:
        response = uuid.uuid4()
        for row in json.loads(unseal(key, ballot.sealed, _ballot_aad(survey))):
            text = row["text"]
            answers.append(
                AnonymousAnswer(
                    survey=survey,
                    response=response,
                    question_id=row["question"],
                    choice=row["choice"],
                    scale=row["scale"],
                    text=(
                        None
                        if text is None
                        else seal(
                            key, text.encode(), answer_aad(survey, questions[row["question"]])
                        )
                    ),
                )
            )
    _random.shuffle(answers)
    AnonymousAnswer.objects.bulk_create(answers)
    PendingBallot.objects.filter(pk__in=[b.pk for b in ballots]).delete()
    return len(ballots)


def _reshuffle(survey: Survey) -> None:
    """Rewrite every anonymous answer of the survey with a new id, in a new random order."""
    rows = list(AnonymousAnswer.objects.filter(survey=survey))
    AnonymousAnswer.objects.filter(survey=survey).delete()
    responses: dict[uuid.UUID, uuid.UUID] = {}
    fresh = [
        AnonymousAnswer(
            survey=survey,
            response=responses.setdefault(row.response, uuid.uuid4()),
            question_id=row.question_id,
            choice=row.choice,
            scale=row.scale,
            text=row.text,
        )
        for row in rows
    ]
    _random.shuffle(fresh)
    AnonymousAnswer.objects.bulk_create(fresh)


@transaction.atomic
def survey_close(*, actor: User, survey: Survey) -> Survey:
    """Close a survey: the waiting ballots are written out, then all its anonymous answers are
    rewritten once more in a new random order."""
    survey = Survey.objects.select_for_update().select_related("program").get(pk=survey.pk)
    if not administered_programs(actor).filter(pk=survey.program_id).exists():
        raise PermissionDenied()
    if survey.status == Survey.Status.CLOSED:
        return survey
    if survey.is_anonymous:
        release_ballots(survey)
        _reshuffle(survey)
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    audit.record(
        action="survey.close",
        actor=actor,
        target=survey,
        subject=actor,
        purpose="Survey closed",
        category="program",
        organization=survey.program.organization_id,
    )
    return survey


@transaction.atomic
def survey_answers_erase(*, user: User) -> dict[str, int]:
    """Erasure: the person's confidential answers and their completions are deleted. Their
    anonymous answers cannot be found — nothing links them to anyone — and stay."""
    return {
        "confidential_answers": ConfidentialAnswer.objects.filter(respondent=user).delete()[0],
        "completions": SurveyCompletion.objects.filter(user=user).delete()[0],
    }
