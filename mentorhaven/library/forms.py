"""Forms of the library pages (the shape of the input; the rules are in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.library import domain
from mentorhaven.library.models import Resource

AUDIENCES = [
    (Resource.Audience.ALL, _("Everyone in the program")),
    (Resource.Audience.MENTEE, _("Mentees")),
    (Resource.Audience.MENTOR, _("Mentors")),
]
KINDS = [
    (Resource.Kind.ARTICLE, _("Article (written here)")),
    (Resource.Kind.LINK, _("Link")),
    (Resource.Kind.DOCUMENT, _("Document (PDF, office, picture, text)")),
    (Resource.Kind.VIDEO, _("Video (MP4 or WebM)")),
]


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=domain.TITLE_LIMIT)
    audience = forms.ChoiceField(label=_("For"), choices=AUDIENCES)
    description = forms.CharField(
        label=_("Description"),
        max_length=domain.TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tags = forms.CharField(label=_("Tags (separated by commas)"), max_length=600, required=False)
    body = forms.CharField(
        label=_("Text (an article)"),
        max_length=domain.BODY_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    url = forms.CharField(label=_("Address (a link, https)"), max_length=1000, required=False)

    @classmethod
    def initial_for(cls, resource: Resource) -> dict:
        def plain(value) -> str:
            return "" if value is None else str(value)

        return {
            "title": plain(resource.title),
            "audience": resource.audience,
            "description": plain(resource.description),
            "tags": ", ".join(resource.tag_list()),
            "body": plain(resource.body),
            "url": plain(resource.url),
        }


class NewResourceForm(ResourceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    file = forms.FileField(label=_("File (a document or a video)"), required=False)

    field_order = ["kind", "title", "audience", "description", "tags", "body", "url", "file"]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
