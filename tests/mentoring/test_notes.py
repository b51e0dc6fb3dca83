"""Session notes: private (author only) or shared (both participants); encrypted under the
author's key; admins never read them; every read of someone else's note is recorded."""

from __future__ import annotations

import pytest
from django.db import connection

from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.kernel.fields import ERASED, is_erased
from mentorhaven.mentoring.access import access_note
from mentorhaven.mentoring.models import Note
from mentorhaven.mentoring.selectors import note_read, notes_for
from mentorhaven.mentoring.services import (
    note_create,
    note_delete,
    note_edit,
    relationship_end,
)

from .conftest import last_event, reads_about

pytestmark = pytest.mark.django_db

PRIVATE = "I think my mentee is struggling at home"
SHARED = "Next time: practise the salary conversation"


@pytest.fixture
def notes(personas, pair):
    private = note_create(actor=personas.ana, relationship=pair, body=PRIVATE)
    shared = note_create(actor=personas.ana, relationship=pair, body=SHARED, shared=True)
    return private, shared


def test_writing_a_note_is_audited_without_its_text(personas, notes):
    event = last_event("note.create")
    assert event.subject == audit.pseudonym(personas.ana)
    assert event.extra == {"shared": True}
    assert SHARED not in event.purpose


def test_note_body_is_ciphertext_at_rest(notes):
    private, _ = notes
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM mentoring_note WHERE id = %s", [private.pk])
        stored = bytes(cursor.fetchone()[0])
    assert PRIVATE.encode() not in stored
    assert b"struggling" not in stored


def test_private_note_is_unreadable_by_the_other_participant(personas, pair, notes):
    private, _shared = notes
    with pytest.raises(NotFound):
        access_note(personas.cara, private.public_id)
    assert [n.body for n in notes_for(viewer=personas.cara, relationship=pair)] == [SHARED]
    assert {n.body for n in notes_for(viewer=personas.ana, relationship=pair)} == {PRIVATE, SHARED}


def test_reading_a_shared_note_is_recorded_for_its_author(personas, pair, notes):
    _, shared = notes
    notes_for(viewer=personas.cara, relationship=pair)
    [event] = reads_about(personas.ana, viewer=personas.cara)
    assert event.category == "platform"
    assert event.actor_role == "mentee"
    note_read(viewer=personas.cara, note=access_note(personas.cara, shared.public_id))
    assert len(reads_about(personas.ana, viewer=personas.cara)) == 2
    # The author reading their own notes is not an access to someone else's data.
    notes_for(viewer=personas.ana, relationship=pair)
    assert reads_about(personas.ana, viewer=personas.ana) == []


def test_admins_and_strangers_never_reach_a_note(personas, pair, other_pair, notes):
    for note in notes:
        for viewer in (
            personas.coordinator,
            personas.org_admin,
            personas.auditor,
            personas.ben,
            personas.dev,
            personas.outsider,
        ):
            with pytest.raises(NotFound):
                access_note(viewer, note.public_id)


def test_only_the_author_edits_or_deletes(personas, notes):
    private, shared = notes
    with pytest.raises(PermissionDenied):
        access_note(personas.cara, shared.public_id, write=True)
    with pytest.raises(PermissionDenied):
        note_edit(actor=personas.cara, note=shared, body="changed")
    note_edit(actor=personas.ana, note=shared, body="Reworded", shared=False)
    assert last_event("note.edit").extra == {"shared": False}
    with pytest.raises(NotFound):  # no longer shared: gone from the mentee's view
        access_note(personas.cara, shared.public_id)
    note_delete(actor=personas.ana, note=private)
    assert last_event("note.delete").target_id == audit.target_pseudonym(personas.ana, private)
    assert not Note.objects.filter(pk=private.pk).exists()


def test_mentor_loses_shared_notes_when_the_relationship_ends(personas, pair):
    mentee_note = note_create(actor=personas.cara, relationship=pair, body="x", shared=True)
    assert access_note(personas.ana, mentee_note.public_id) == mentee_note
    relationship_end(actor=personas.coordinator, relationship=pair, reason="program_ended")
    with pytest.raises(NotFound):
        access_note(personas.ana, mentee_note.public_id)
    with pytest.raises(PermissionDenied):
        note_create(actor=personas.cara, relationship=pair, body="after the end")


def test_shredded_author_notes_read_as_the_erased_placeholder(personas, pair, notes):
    note_create(actor=personas.cara, relationship=pair, body="mine", shared=True)
    vault.shred(personas.ana)
    vault.forget_cached_keys()
    bodies = {n.author_id: n.body for n in notes_for(viewer=personas.cara, relationship=pair)}
    assert is_erased(bodies[personas.ana.pk]) and bodies[personas.ana.pk] == ERASED
    assert bodies[personas.cara.pk] == "mine"
