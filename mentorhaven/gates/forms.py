"""Forms of the gates' pages. They parse input only; services validate and write."""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mentorhaven.gates import domain
from mentorhaven.gates.models import BreakGlassGrant


class AcceptAgreementForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read this confidentiality agreement and I accept it"), required=True
    )


class PublishAgreementForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the new version"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
    )


class QuizForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in domain.QUIZ:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                choices=question.options,
                widget=forms.RadioSelect,
            )


class _OfferedOrAllowed(forms.ChoiceField):
    """A choice among the options shown, or any other the request may name: the page shows a
    few people found by a search, and a choice is checked against everyone allowed (one query
    by public id), not against a list of thousands built for every request."""

    def __init__(self, *args, allowed: QuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def valid_value(self, value) -> bool:
        if super().valid_value(value):
            return True
        if self.allowed is None or not value:
            return False
        try:
            public_id = uuid.UUID(str(value))
        except ValueError:
            return False
        return self.allowed.filter(public_id=public_id).exists()


class BreakGlassSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a mentor or mentee (part of a name or e-mail address)"),
        max_length=100,
        required=False,
    )


class BreakGlassRequestForm(forms.Form):
    subject = _OfferedOrAllowed(label=_("Whose data"))
    relationship = _OfferedOrAllowed(
        label=_("Only this relationship (leave empty for everything the person wrote)"),
        required=False,
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=BreakGlassGrant.Reason.choices)
    justification = forms.CharField(
        label=_("Why is this access needed? (a second admin reads this before approving)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        max_length=4_000,
    )
    hours = forms.IntegerField(
        label=_("For how many hours (at most 24)"),
        min_value=1,
        max_value=domain.MAX_GRANT_HOURS,
        initial=4,
    )
    legal_exception_reason = forms.CharField(
        label=_(
            "Legal exception: if the law forbids telling the person (for instance during a "
            "police investigation), say which rule applies. Leave empty to tell them."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4_000,
    )

    def __init__(self, *args, choices=None, **kwargs):
        """``choices``: a ``selectors.BreakGlassChoices`` (what to show and what to allow)."""
        super().__init__(*args, **kwargs)
        subject = self.fields["subject"]
        relationship = self.fields["relationship"]
        assert isinstance(subject, _OfferedOrAllowed) and isinstance(
            relationship, _OfferedOrAllowed
        )
        if choices is None:
            return
        subject.choices = [(str(p.public_id), _person_label(p)) for p in choices.people]
        subject.allowed = choices.allowed_people
        relationship.choices = [("", "—")] + [
            (str(r.public_id), f"{r.mentee.name} ↔ {r.mentor.name} · {r.program.name}")
            for r in choices.relationships
        ]
        relationship.allowed = choices.allowed_relationships


def _person_label(person) -> str:
    """A name, and the address when it tells two people of the same name apart."""
    return f"{person.name} ({person.email})" if person.display_name else person.name
