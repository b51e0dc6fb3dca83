"""Forms of the event pages (the shape of the input; the rules are in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.community import domain
from mentorhaven.community.models import Event
from mentorhaven.mentoring.forms import LocalDateTimeField


def _when(label) -> LocalDateTimeField:
    return LocalDateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=domain.TITLE_LIMIT)
    format = forms.ChoiceField(
        label=_("Where"),
        choices=[(Event.Format.ONLINE, _("Online")), (Event.Format.IN_PERSON, _("In person"))],
    )
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))
    place = forms.CharField(
        label=_("Place (in person)"), max_length=domain.PLACE_LIMIT, required=False
    )
    link = forms.CharField(
        label=_("Link (online, https)"), max_length=domain.LINK_LIMIT, required=False
    )
    capacity = forms.IntegerField(
        label=_("Capacity (leave empty for no limit)"),
        min_value=1,
        max_value=100_000,
        required=False,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=domain.TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        return {
            "title": str(event.title or ""),
            "format": event.format,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "place": str(event.place or ""),
            "link": str(event.link or ""),
            "capacity": event.capacity,
            "description": str(event.description or ""),
        }


class RegisterForm(forms.Form):
    show_me = forms.BooleanField(label=_("Show my name to the other attendees"), required=False)


class CheckInForm(forms.Form):
    registration = forms.UUIDField()
