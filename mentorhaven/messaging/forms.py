"""Forms of the messaging pages. They parse input only; services validate and write."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.messaging.models import Notification, NotificationPreference, Report
from mentorhaven.messaging.notices import KINDS
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
    """How often e-mails go out, and for each kind of notice how to be told."""

    email = forms.ChoiceField(
        label=_("E-mail me"),
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            choices = NotificationPreference.Channel.choices
            if not KINDS[kind].can_turn_off:
                choices = [c for c in choices if c[0] != NotificationPreference.Channel.OFF]
            if not KINDS[kind].can_email:
                choices = [c for c in choices if c[0] != NotificationPreference.Channel.EMAIL]
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=label, choices=choices, required=False
            )

    def channels(self) -> dict[str, str]:
        """The kinds chosen in this form (a kind left out keeps its current choice)."""
        chosen = {kind: self.cleaned_data.get(f"kind_{kind}") for kind in Notification.Kind.values}
        return {kind: channel for kind, channel in chosen.items() if channel}

    @classmethod
    def initial_for(cls, *, email: str, channels: dict[str, str]) -> dict[str, str]:
        return {"email": email, **{f"kind_{k}": c for k, c in channels.items()}}


class CaseFilterForm(forms.Form):
    """The safety case list's filters: a program the viewer handles cases of, and a status."""

    program = forms.ChoiceField(label=_("Program"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Report.Status.choices],
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = {str(p.public_id): p for p in programs}
        cast(forms.ChoiceField, self.fields["program"]).choices = [
            ("", _("All programs")),
            *((key, p.name) for key, p in self.programs.items()),
        ]


class CaseNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Case note (only this program's admins read it)"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CaseCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the reporter is told"), choices=Report.Outcome.choices
    )


# The actions a case page posts (``action``), each one service (messaging/services/cases.py).
CASE_ACTIONS = (
    "triage",
    "note",
    "warn",
    "suspend",
    "lift",
    "end_relationship",
    "escalate",
    "close",
)
