"""A relationship's life on every channel: after the end the mentor loses the mentee's goals,
notes, meetings and files on the pages, the API, downloads and share links while the
conversation stays a read-only archive (the socket included); paused, both read and neither
writes; a block stops every write of the blocked person into the relationship."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mentorhaven.files.models import StoredFile
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.access import (
    access_goal,
    access_meeting,
    access_relationship_content,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import (
    goal_create,
    meeting_propose,
    note_create,
    note_edit,
    relationship_end,
    relationship_pause,
    relationship_rematch,
    relationship_resume,
)
from mentorhaven.messaging.services import (
    block_create,
    conversation_for_relationship,
    message_edit,
    message_send,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/relationships"
GOAL = "Negotiate a four-day week"
NOTE = "She worries about the manager"


@pytest.fixture(autouse=True)
def _files_elsewhere(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def filled(personas, pair):
    goal = goal_create(actor=personas.cara, relationship=pair, title=GOAL)
    note = note_create(actor=personas.cara, relationship=pair, body=NOTE, shared=True)
    slot = timezone.now() + timedelta(days=3)
    meeting = meeting_propose(actor=personas.cara, relationship=pair, slots=[slot])
    chat = conversation_for_relationship(actor=personas.cara, relationship=pair)
    message = message_send(actor=personas.ana, conversation=chat, body="See you Monday")
    file = file_upload(
        actor=personas.cara, fileobj=io.BytesIO(b"cv\n"), declared_name="cv.txt", relationship=pair
    )
    return {
        "goal": goal,
        "note": note,
        "meeting": meeting,
        "chat": chat,
        "message": message,
        "file": file,
    }


def _fresh(conversation):
    return type(conversation).objects.select_related("relationship").get(pk=conversation.pk)


def _api(client, headers, method, path, body=None):
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(path, **kwargs)


# --- after the end ---------------------------------------------------------------------------


def test_after_the_end_the_mentor_loses_the_inside_on_every_channel(
    personas, pair, filled, bearer, login
):
    relationship_end(actor=personas.cara, relationship=pair, reason="not_a_fit")
    # the page: no goals, notes or meetings; no link to the files
    page = login(personas.ana).get(f"/relationships/{pair.public_id}/").content.decode()
    assert GOAL not in page and NOTE not in page
    assert "no longer shown to you" in page
    # the API
    headers = bearer(personas.ana)
    api = Client()
    for sub in ("goals", "notes", "meetings"):
        assert _api(api, headers, "get", f"{BASE}/{pair.public_id}/{sub}").status_code == 404
    # file downloads, on the page and on the API
    file = filled["file"]
    session = login(personas.ana, Client())
    assert session.get(f"/files/{file.public_id}/content/").status_code == 404
    assert _api(api, headers, "get", f"/api/v1/files/{file.public_id}/content").status_code == 404
    # share links: only an uploader makes them; the mentor never reaches the mentee's file
    with pytest.raises(PermissionDenied):
        share_link_create(actor=personas.ana, file=file)
    # the helpers every channel asks
    with pytest.raises(NotFound):
        access_goal(personas.ana, filled["goal"].public_id)
    with pytest.raises(NotFound):
        access_meeting(personas.ana, filled["meeting"].public_id)
    # the mentee keeps her history
    assert access_relationship_content(personas.cara, pair.public_id) == pair
    mine = login(personas.cara, Client()).get(f"/relationships/{pair.public_id}/")
    assert GOAL in mine.content.decode()


def test_after_the_end_the_conversation_is_a_read_only_archive_for_both(
    personas, pair, filled, bearer
):
    relationship_end(actor=personas.coordinator, relationship=pair, reason="left_program")
    api = Client()
    path = f"{BASE}/{pair.public_id}/messages"
    for person in (personas.ana, personas.cara):
        headers = bearer(person)
        items = _api(api, headers, "get", path).json()["items"]
        assert [i["body"] for i in items] == ["See you Monday"]
        refused = _api(api, headers, "post", path, {"body": "one more"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "conversation_archived"
    with pytest.raises(PermissionDenied):
        message_edit(actor=personas.ana, message=filled["message"], body="changed")


def test_the_mentee_writes_nothing_new_after_the_end(personas, pair):
    relationship_end(actor=personas.ana, relationship=pair, reason="goals_met")
    with pytest.raises(PermissionDenied):
        access_relationship_content(personas.cara, pair.public_id, write=True)
    with pytest.raises(PermissionDenied):
        goal_create(actor=personas.cara, relationship=pair, title="late")


# --- paused ------------------------------------------------------------------------------------


def test_only_the_programs_admins_pause_and_resume(personas, pair):
    for someone in (personas.ana, personas.cara, personas.auditor, personas.outsider):
        with pytest.raises(PermissionDenied):
            relationship_pause(actor=someone, relationship=pair)
    paused = relationship_pause(actor=personas.coordinator, relationship=pair)
    assert paused.status == Relationship.Status.PAUSED and paused.paused_at is not None
    assert AuditEvent.objects.filter(action="relationship.pause").count() == 1
    with pytest.raises(Conflict):
        relationship_pause(actor=personas.coordinator, relationship=pair)
    resumed = relationship_resume(actor=personas.coordinator, relationship=pair)
    assert resumed.status == Relationship.Status.ACTIVE and resumed.paused_at is None
    assert AuditEvent.objects.filter(action="relationship.resume").count() == 1


def test_paused_both_read_and_neither_writes_on_any_path(personas, pair, filled, bearer):
    relationship_pause(actor=personas.coordinator, relationship=pair)
    api = Client()
    for person in (personas.ana, personas.cara):
        headers = bearer(person)
        for sub in ("goals", "notes", "meetings", "messages"):
            got = _api(api, headers, "get", f"{BASE}/{pair.public_id}/{sub}")
            assert got.status_code == 200, (person, sub)
        for sub, body in (
            ("notes", {"body": "x", "shared": True}),
            ("messages", {"body": "x"}),
            ("meetings", {"slots": [(timezone.now() + timedelta(days=2)).isoformat()]}),
        ):
            refused = _api(api, headers, "post", f"{BASE}/{pair.public_id}/{sub}", body)
            assert refused.status_code == 403, (person, sub)
        with pytest.raises(PermissionDenied):
            access_relationship_content(person, pair.public_id, write=True)
    # and in the services themselves, whatever the caller checked before
    with pytest.raises(PermissionDenied):
        goal_create(actor=personas.cara, relationship=pair, title="x")
    with pytest.raises(PermissionDenied):
        note_create(actor=personas.ana, relationship=pair, body="x")
    with pytest.raises(PermissionDenied):
        note_edit(actor=personas.cara, note=filled["note"], body="changed while paused")
    with pytest.raises(PermissionDenied):
        meeting_propose(
            actor=personas.ana, relationship=pair, slots=[timezone.now() + timedelta(days=2)]
        )
    with pytest.raises(PermissionDenied):  # the conversation as a caller loads it now
        message_send(actor=personas.cara, conversation=_fresh(filled["chat"]), body="x")
    with pytest.raises(PermissionDenied):
        message_edit(actor=personas.ana, message=filled["message"], body="x")
    with pytest.raises(PermissionDenied):
        file_upload(
            actor=personas.cara,
            fileobj=io.BytesIO(b"x\n"),
            declared_name="x.txt",
            relationship=pair,
        )
    relationship_resume(actor=personas.coordinator, relationship=pair)
    assert note_create(actor=personas.ana, relationship=pair, body="back again")


def test_paused_relationship_page_shows_no_write_forms(personas, pair, filled, login):
    relationship_pause(actor=personas.coordinator, relationship=pair)
    page = login(personas.ana).get(f"/relationships/{pair.public_id}/").content.decode()
    assert NOTE in page  # still read
    assert f"/relationships/{pair.public_id}/notes/" not in page
    assert f"/relationships/{pair.public_id}/meetings/" not in page


def test_coordinator_pauses_resumes_and_rematches_from_the_manage_page(personas, pair, login):
    client = login(personas.coordinator)
    url = f"/relationships/{pair.public_id}/manage/"
    assert client.get(url).status_code == 200
    client.post(url, {"action": "pause"})
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.PAUSED
    client.post(url, {"action": "resume"})
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE
    response = client.post(
        f"/relationships/{pair.public_id}/rematch/",
        {"mentor": str(personas.ben.public_id), "reason": "not_a_fit", "note": ""},
    )
    assert response.status_code == 302
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ENDED_EARLY
    new = Relationship.objects.get(mentee=personas.cara, mentor=personas.ben)
    assert new.status == Relationship.Status.PROPOSED


def test_participants_and_auditors_may_not_manage(personas, pair, login):
    url = f"/relationships/{pair.public_id}/manage/"
    for person in (personas.ana, personas.cara, personas.auditor):
        assert login(person, Client()).get(url).status_code == 403
    assert login(personas.outsider, Client()).get(url).status_code == 404


def test_rematch_needs_another_mentor_of_the_program_and_is_all_or_nothing(personas, pair):
    from mentorhaven.kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        relationship_rematch(
            actor=personas.coordinator, relationship=pair, reason="not_a_fit", mentor=personas.ana
        )
    with pytest.raises(ValidationFailed):  # not a mentor of the program
        relationship_rematch(
            actor=personas.coordinator,
            relationship=pair,
            reason="not_a_fit",
            mentor=personas.outsider,
        )
    assert Relationship.objects.get(pk=pair.pk).status == Relationship.Status.ACTIVE
    with pytest.raises(PermissionDenied):
        relationship_rematch(
            actor=personas.cara, relationship=pair, reason="not_a_fit", mentor=personas.ben
        )


# --- blocked -----------------------------------------------------------------------------------


@pytest.fixture
def blocked(personas, filled):
    """Cara (the mentee) blocks Ana (her mentor)."""
    block_create(actor=personas.cara, blocked=personas.ana)
    return filled


def test_blocked_person_cannot_edit_an_old_message(personas, blocked, bearer):
    with pytest.raises(PermissionDenied):
        message_edit(actor=personas.ana, message=blocked["message"], body="rewritten")
    message = blocked["message"]
    path = f"{BASE}/{message.conversation.relationship.public_id}/messages/{message.public_id}"
    refused = _api(Client(), bearer(personas.ana), "patch", path, {"body": "rewritten"})
    assert refused.status_code == 403
    message.refresh_from_db()
    assert message.body == "See you Monday"


def test_blocked_person_cannot_send(personas, pair, blocked, bearer):
    with pytest.raises(PermissionDenied):
        message_send(actor=personas.ana, conversation=_fresh(blocked["chat"]), body="hello?")
    path = f"{BASE}/{pair.public_id}/messages"
    assert _api(Client(), bearer(personas.ana), "post", path, {"body": "x"}).status_code == 403


def test_blocked_person_cannot_add_or_share_notes(personas, pair, blocked, bearer):
    with pytest.raises(PermissionDenied):
        note_create(actor=personas.ana, relationship=pair, body="noted", shared=True)
    path = f"{BASE}/{pair.public_id}/notes"
    body = {"body": "noted", "shared": True}
    assert _api(Client(), bearer(personas.ana), "post", path, body).status_code == 403


def test_blocked_person_cannot_share_an_old_private_note(personas, pair):
    private = note_create(actor=personas.ana, relationship=pair, body="mine")
    block_create(actor=personas.cara, blocked=personas.ana)
    with pytest.raises(PermissionDenied):
        note_edit(actor=personas.ana, note=private, shared=True)
    # their own private note stays theirs to edit
    assert note_edit(actor=personas.ana, note=private, body="still mine").body == "still mine"


def test_blocked_person_cannot_upload(personas, pair, blocked, login):
    with pytest.raises(PermissionDenied):
        file_upload(
            actor=personas.ana,
            fileobj=io.BytesIO(b"x\n"),
            declared_name="x.txt",
            relationship=pair,
        )
    client = login(personas.ana)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/files/r/{pair.public_id}/",
        {"file": SimpleUploadedFile("x.txt", b"x\n", content_type="text/plain")},
    )
    # refused with its reason flashed on the page the person came from; nothing kept
    assert response.status_code == 302
    assert StoredFile.objects.filter(uploader=personas.ana).count() == 0
    shown = client.get(response["Location"], follow=True).content.decode()
    assert "not accepting anything from you" in shown


def test_blocked_person_cannot_propose_or_answer_meetings(personas, pair, blocked):
    with pytest.raises(PermissionDenied):
        meeting_propose(
            actor=personas.ana, relationship=pair, slots=[timezone.now() + timedelta(days=2)]
        )
    with pytest.raises(PermissionDenied):
        access_meeting(personas.ana, blocked["meeting"].public_id, write=True)


def test_blocked_mentee_cannot_add_goals(personas, pair):
    block_create(actor=personas.ana, blocked=personas.cara)
    with pytest.raises(PermissionDenied):
        goal_create(actor=personas.cara, relationship=pair, title="x")


def test_the_blocker_still_reads_and_writes(personas, pair, blocked):
    assert access_relationship_content(personas.cara, pair.public_id, write=True) == pair
    assert note_create(actor=personas.cara, relationship=pair, body="for me", shared=False)
