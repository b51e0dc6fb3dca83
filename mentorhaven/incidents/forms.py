from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.incidents import domain
from mentorhaven.incidents.models import Incident
from mentorhaven.incidents.services import ENTRY_KINDS, TEXT_MAX
from mentorhaven.kernel.inventory import Category


class IncidentOpenForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Incident.Severity.choices)
    description = forms.CharField(
        label=_("What happened"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    affected_systems = forms.CharField(label=_("Affected systems"), max_length=2000, required=False)
    detected_at = forms.DateTimeField(
        label=_("Detected at (UTC)"),
        required=False,
        help_text=_("Leave empty for now. Format: 2026-12-06 14:30"),
    )
    account_email = forms.EmailField(
        label=_("Account believed compromised (e-mail)"), required=False
    )


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in ENTRY_KINDS],
    )
    body = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(choices=Incident.Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why (optional)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContainForm(forms.Form):
    steps = forms.MultipleChoiceField(
        label=_("Containment"),
        choices=[
            ("lock", _("Lock the account")),
            ("sessions", _("End its sessions and real-time connections")),
            ("tokens", _("Revoke its API tokens")),
            ("share_links", _("Revoke its file share links")),
            ("calendar_feeds", _("Revoke its calendar feed")),
        ],
        widget=forms.CheckboxSelectMultiple,
        initial=["lock", "sessions", "tokens", "share_links", "calendar_feeds"],
    )


class ImpactForm(forms.Form):
    since = forms.DateTimeField(label=_("From (UTC)"), required=False)
    until = forms.DateTimeField(label=_("To (UTC)"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Kinds of data"),
        required=False,
        choices=[(c.value, c.label) for c in Category],
        widget=forms.CheckboxSelectMultiple,
    )


class NotifyForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Notice"), choices=[(k, n.title) for k, n in domain.NOTICES.items()]
    )
    recipients = forms.CharField(
        label=_("E-mail addresses (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=300_000,
    )
