"""Forms of the consent and request pages. They parse input only; services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.consent.models import DataRequest
from mentorhaven.programs.models import Organization

ASKABLE = [
    (value, label)
    for value, label in DataRequest.Kind.choices
    if value != DataRequest.Kind.RESTRICTION  # restricting has its own button
]


class _OrganizationChoice(forms.Form):
    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = list(organizations)
        self.fields["organization"] = forms.ModelChoiceField(
            label=_("Organization"),
            queryset=Organization.objects.filter(pk__in=[o.pk for o in organizations]),
            to_field_name="public_id",
            empty_label=None,
        )
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].public_id
            self.fields["organization"].widget = forms.HiddenInput()


class DataRequestForm(_OrganizationChoice):
    kind = forms.ChoiceField(label=_("What you ask for"), choices=ASKABLE)
    details = forms.CharField(
        label=_("Details (what is wrong and what it should be; encrypted)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RestrictionForm(_OrganizationChoice):
    details = forms.CharField(
        label=_("What you dispute (encrypted; read only by the data-protection officers)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DataRequest.Status.choices)
