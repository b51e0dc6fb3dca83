"""Forms of the gates' pages. They parse input only; services validate and write."""

from __future__ import annotations

from django import forms
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


class BreakGlassRequestForm(forms.Form):
    subject = forms.ChoiceField(label=_("Whose data"))
    relationship = forms.ChoiceField(
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

    def __init__(self, *args, people=(), relationships=(), **kwargs):
        super().__init__(*args, **kwargs)
        subject = self.fields["subject"]
        relationship = self.fields["relationship"]
        assert isinstance(subject, forms.ChoiceField) and isinstance(
            relationship, forms.ChoiceField
        )
        subject.choices = [(str(p.public_id), p.name) for p in people]
        relationship.choices = [("", "—")] + [
            (str(r.public_id), f"{r.mentee.name} ↔ {r.mentor.name} · {r.program.name}")
            for r in relationships
        ]
