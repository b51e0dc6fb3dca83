from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.reporting.models import ORGANIZATION_K_FLOOR, PROGRAM_K_FLOOR
from mentorhaven.reporting.services import MAX_K


class PolicyForm(forms.Form):
    program_k = forms.IntegerField(
        label=_("Smallest group shown to a program's admins"),
        min_value=PROGRAM_K_FLOOR,
        max_value=MAX_K,
    )
    organization_k = forms.IntegerField(
        label=_("Smallest group shown in organization-wide views (org admins, auditors)"),
        min_value=ORGANIZATION_K_FLOOR,
        max_value=MAX_K,
    )


class PrivacyForm(forms.Form):
    dp_enabled = forms.BooleanField(
        label=_("Add differential-privacy noise to every count"), required=False
    )
    epsilon_per_view = forms.FloatField(
        label=_("Privacy cost (epsilon) of one dashboard view or export"),
        min_value=0.01,
        max_value=10,
    )
    budget = forms.FloatField(
        label=_("Total privacy budget; counts stop when it is spent"),
        min_value=0.01,
        max_value=1000,
    )
