from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.retention.models import LegalHold
from mentorhaven.retention.services import REASON_MAX


class PolicyForm(forms.Form):
    kind = forms.CharField(max_length=40, widget=forms.HiddenInput)
    days = forms.IntegerField(label=_("Days"), min_value=0, max_value=100_000)


class HoldForm(forms.Form):
    scope = forms.ChoiceField(label=_("What to hold"), choices=LegalHold.Scope.choices)
    reference = forms.CharField(
        label=_("Whom or which"),
        max_length=254,
        help_text=_("A person's e-mail address, or the id of a relationship or safety report."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
