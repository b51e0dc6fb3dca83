"""Session notes on the relationship page: add, edit, delete (each the author's own)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.mentoring import forms, services
from mentorhaven.mentoring.access import (
    access_note,
    access_relationship_content,
)
from mentorhaven.mentoring.views.common import HtmxHttpRequest, back, invalid, me, section


@require_POST
@login_required
def note_add(request: HtmxHttpRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, relationship, "notes")
    services.note_create(actor=me(request), relationship=relationship, **form.cleaned_data)
    if request.htmx:
        return section(request, relationship, "notes")
    return back(relationship, "notes")


@login_required
def note_edit(request: SignedInRequest, note_id) -> HttpResponse:
    note = access_note(request.user, note_id, write=True)
    form = forms.NoteForm(request.POST or None, initial={"body": note.body, "shared": note.shared})
    if request.method == "POST" and form.is_valid():
        services.note_edit(actor=me(request), note=note, **form.cleaned_data)
        messages.success(request, _("Note saved."))
        return back(note.relationship, "notes")
    return render(request, "mentoring/note_edit.html", {"note": note, "form": form})


@login_required
def note_delete(request: SignedInRequest, note_id) -> HttpResponse:
    """GET asks "delete this note?" (a deleted note cannot be brought back); POST deletes."""
    note = access_note(request.user, note_id, write=True)
    relationship = note.relationship
    if request.method != "POST":
        return render(request, "mentoring/note_delete.html", {"note": note})
    services.note_delete(actor=me(request), note=note)
    messages.success(request, _("Note deleted."))
    return back(relationship, "notes")
