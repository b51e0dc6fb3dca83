"""Forms of the matching pages. They parse input only; services validate and write."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mentorhaven.consent.domain import TEXTS, Purpose
from mentorhaven.kernel.inventory import Category
from mentorhaven.matching.models import Question
from mentorhaven.matching.pipeline import STAGE_LABELS


class QuestionForm(forms.Form):
    prompt = forms.CharField(label="Question", max_length=300)
    kind = forms.ChoiceField(label="Type", choices=Question.Kind.choices)
    audience = forms.ChoiceField(label="Asked of", choices=Question.Audience.choices)
    options = forms.CharField(
        label="Options (one per line; for choice questions)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scale_min = forms.IntegerField(label="Scale from", initial=1, min_value=0, max_value=99)
    scale_max = forms.IntegerField(label="Scale to", initial=5, min_value=1, max_value=100)
    category = forms.ChoiceField(
        label="Data category", choices=[(c.value, c.label) for c in Category]
    )
    weight = forms.FloatField(label="Weight in matching", initial=1.0, min_value=0, max_value=10)
    used_for_matching = forms.BooleanField(label="Used for matching", required=False, initial=True)
    sensitive = forms.BooleanField(
        label="Sensitive (gender, ethnicity, health, personality…): optional, used only with "
        "the participant's consent",
        required=False,
    )
    required = forms.BooleanField(label="Required", required=False)

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["options"] = [line for line in data["options"].splitlines() if line.strip()]
        return data


class QuestionnaireForm(forms.Form):
    """The participant's questionnaire: one field per question, and, when some questions are
    sensitive, one consent box for matching with sensitive answers (the consent app's purpose,
    with its versioned text). Built from the program's questions."""

    headline = forms.CharField(
        label="Headline (shown to possible matches)", max_length=200, required=False
    )
    goals = forms.CharField(
        label="Your goals (encrypted; used to find similar goals, never shown to others)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, questions: list[Question], role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        if role == "mentor":
            self.fields["capacity"] = forms.IntegerField(
                label="How many mentees you can take at once",
                min_value=0,
                max_value=20,
                initial=2,
            )
            self.fields["paused"] = forms.BooleanField(
                label="Pause: take no new mentees for now", required=False
            )
        for question in questions:
            self.fields[self.key(question)] = self._field(question)
        if any(q.sensitive for q in questions):
            self.fields[self.CONSENT] = forms.BooleanField(
                label=TEXTS[Purpose.MATCHING_SENSITIVE].text, required=False
            )

    CONSENT = "sensitive_consent"

    @staticmethod
    def key(question: Question) -> str:
        return f"q_{question.public_id.hex}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answered = [
            q for q in self.questions if q.sensitive and data.get(self.key(q)) not in (None, "", [])
        ]
        if answered and not data.get(self.CONSENT):
            raise forms.ValidationError(
                _(
                    "Sensitive answers are kept only with your consent: tick the consent box, "
                    "or leave the sensitive questions empty."
                ),
                code="consent_required",
            )
        return data

    def _field(self, question: Question) -> forms.Field:
        label = question.prompt + (" (optional, sensitive)" if question.sensitive else "")
        required = question.required and not question.sensitive
        choices = [(o["value"], o["label"]) for o in question.options]
        if question.kind == Question.Kind.SINGLE:
            return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *choices])
        if question.kind == Question.Kind.MULTI:
            return forms.MultipleChoiceField(
                label=label, required=required, choices=choices, widget=forms.CheckboxSelectMultiple
            )
        if question.kind == Question.Kind.SCALE:
            points = [(str(n), str(n)) for n in range(question.scale_min, question.scale_max + 1)]
            return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *points])
        return forms.CharField(
            label=label,
            required=required,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def rows(self) -> list[tuple[Question, Any]]:
        """(question, its bound field) for the template."""
        return [(q, self[self.key(q)]) for q in self.questions]

    def consent_field(self):
        return self[self.CONSENT] if self.CONSENT in self.fields else None

    def answers(self) -> dict[Question, Any]:
        return {q: self.cleaned_data.get(self.key(q)) for q in self.questions}

    def sensitive_consent(self) -> bool | None:
        """The consent box's choice, or None when no sensitive question was shown."""
        return bool(self.cleaned_data.get(self.CONSENT)) if self.CONSENT in self.fields else None

    @classmethod
    def initial_from(cls, mine) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        if mine.profile is not None:
            initial.update(
                headline=mine.profile.headline or "",
                goals=mine.profile.goals or "",
                capacity=mine.profile.capacity,
                paused=mine.profile.paused,
            )
        initial[cls.CONSENT] = mine.sensitive_consent
        for q in mine.questions:
            if q.pk in mine.answers:
                value = mine.answers[q.pk]
                initial[cls.key(q)] = value if isinstance(value, list) else str(value)
        return initial


class ParticipantField(forms.CharField):
    """A person of the program, typed as their e-mail address (or given by their public id).

    A text field, not a list of everyone: a program of thousands would put thousands of names
    into every page that offers the choice (and show every participant's name to whoever opens
    it). Cleans to the person's public id, among ``people`` only.
    """

    default_error_messages = {
        "unknown": _("Nobody in this program with that address can be chosen here."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"})
        )
        super().__init__(*args, **kwargs)
        self.people: QuerySet | None = None

    def clean(self, value: Any) -> str:
        value = super().clean(value).strip()
        people = self.people if self.people is not None else get_user_model().objects.none()
        try:
            found = people.filter(public_id=uuid.UUID(value))
        except ValueError:
            found = people.filter(email__iexact=value)
        person = found.only("public_id").first()
        if person is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return str(person.public_id)


class PersonForm(forms.Form):
    """Pick a person of ``people`` (a queryset) by e-mail address."""

    person = ParticipantField(label=_("Person's e-mail address"))

    def __init__(self, *args, people: QuerySet, label: str = "Person", **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(ParticipantField, self.fields["person"])
        field.people = people
        field.label = _("%(label)s (their e-mail address)") % {"label": label}


class PairForm(forms.Form):
    mentee = ParticipantField(label=_("Mentee's e-mail address"))
    mentor = ParticipantField(label=_("Mentor's e-mail address"))

    def __init__(self, *args, mentees: QuerySet, mentors: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        cast(ParticipantField, self.fields["mentee"]).people = mentees
        cast(ParticipantField, self.fields["mentor"]).people = mentors


class DraftPairForm(forms.Form):
    """Pair two people by hand in a draft: the mentee by e-mail address, the mentor chosen from
    those with a free seat (a full or paused mentor is not offered at all)."""

    mentee = ParticipantField(label=_("Mentee's e-mail address"))
    mentor = forms.ChoiceField(label=_("Mentor with a free seat"))

    def __init__(self, *args, mentees: QuerySet, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        cast(ParticipantField, self.fields["mentee"]).people = mentees
        cast(forms.ChoiceField, self.fields["mentor"]).choices = [
            (
                str(m.public_id),
                _("%(name)s (%(free)d free)") % {"name": m.name, "free": m.free},
            )
            for m in mentors
        ]


class ConsoleFilterForm(forms.Form):
    """The console's filters (a GET form): by stage, by role, or only unmatched mentees."""

    stage = forms.ChoiceField(label=_("Stage"), required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Everyone")), ("mentee", _("Mentees")), ("mentor", _("Mentors"))],
    )
    unmatched = forms.BooleanField(label=_("Only mentees without a mentor"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            ("", _("Every stage")),
            *((str(stage), label) for stage, label in STAGE_LABELS.items()),
        ]
