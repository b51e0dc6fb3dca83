"""Forms of the assistant's pages: they parse the suggestion as the person edited it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class GoalSuggestionForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=200)
    description = forms.CharField(
        label=_("What the goal is about"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    milestone_1 = forms.CharField(label=_("Milestone 1"), max_length=200, required=False)
    milestone_2 = forms.CharField(label=_("Milestone 2"), max_length=200, required=False)
    milestone_3 = forms.CharField(label=_("Milestone 3"), max_length=200, required=False)

    def milestones(self) -> list[str]:
        return [self.cleaned_data[f"milestone_{i}"] for i in (1, 2, 3)]
