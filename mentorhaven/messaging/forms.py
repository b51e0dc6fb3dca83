"""Forms of the messaging pages. They parse input only; services validate and write."""

from __future__ import annotations

from django import forms

from mentorhaven.messaging.models import NotificationPreference, Report
from mentorhaven.messaging.services import MAX_BODY, MAX_NOTE


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong?", choices=Report.Reason.choices)
    note = forms.CharField(
        label="Anything the program admins should know (optional)",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="E-mail me about new messages and notices",
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
    )
