"""An archived program is kept for its records and closed to anything new: every family of
writes inside it — relationships, mentor requests, match runs and their publishing, goals,
meetings, notes, messages, files, invitations — is refused with one clear error (Conflict,
code ``archived``), while everything already there can still be read."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.kernel.errors import Conflict
from mentorhaven.matching.models import MatchRun
from mentorhaven.matching.services import match_request, match_run_create, match_run_publish
from mentorhaven.mentoring import selectors
from mentorhaven.mentoring.services import (
    goal_create,
    meeting_propose,
    note_create,
    relationship_end,
    relationship_propose,
)
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.programs.services import invitation_create, program_archive

pytestmark = pytest.mark.django_db

BASE = "/api/v1/relationships"
GOAL = "Lead the spring audit"


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
def before(personas, pair):
    """What the pair wrote while the program ran, then the program archived."""
    goal = goal_create(actor=personas.cara, relationship=pair, title=GOAL)
    chat = conversation_for_relationship(actor=personas.cara, relationship=pair)
    message_send(actor=personas.ana, conversation=chat, body="See you Monday")
    file = file_upload(
        actor=personas.cara, fileobj=io.BytesIO(b"cv\n"), declared_name="cv.txt", relationship=pair
    )
    draft = match_run_create(actor=personas.coordinator, program=personas.program)
    program_archive(actor=personas.org_admin, program=personas.program)
    return {"goal": goal, "chat": chat, "file": file, "draft": draft}


def _refused(call) -> Conflict:
    with pytest.raises(Conflict) as caught:
        call()
    assert caught.value.code == "archived"
    assert "archived" in str(caught.value.message)
    return caught.value


def test_every_write_family_inside_an_archived_program_is_refused(personas, pair, before):
    p, slot = personas, timezone.now() + timedelta(days=2)
    writes = {
        "relationship": lambda: relationship_propose(
            actor=p.coordinator, program=p.program, mentee=p.dev, mentor=p.ben
        ),
        "mentor request": lambda: match_request(actor=p.dev, program=p.program, mentor=p.ben),
        "match run": lambda: match_run_create(actor=p.coordinator, program=p.program),
        "publishing": lambda: match_run_publish(actor=p.coordinator, run=before["draft"]),
        "goal": lambda: goal_create(actor=p.cara, relationship=pair, title="late"),
        "meeting": lambda: meeting_propose(actor=p.ana, relationship=pair, slots=[slot]),
        "note": lambda: note_create(actor=p.ana, relationship=pair, body="late"),
        "message": lambda: message_send(actor=p.cara, conversation=before["chat"], body="x"),
        "file": lambda: file_upload(
            actor=p.cara, fileobj=io.BytesIO(b"x\n"), declared_name="x.txt", relationship=pair
        ),
        "share link": lambda: share_link_create(actor=p.cara, file=before["file"]),
        "invitation": lambda: invitation_create(
            actor=p.coordinator,
            organization=p.org,
            email="late@example.test",
            program=p.program,
            program_role="mentee",
        ),
    }
    for write in writes.values():
        _refused(write)
    assert MatchRun.objects.get(pk=before["draft"].pk).status == MatchRun.Status.DRAFT


def test_the_records_stay_readable_and_the_relationship_can_still_end(personas, pair, before):
    goals = selectors.goals_for(viewer=personas.ana, relationship=pair)
    assert [g.title for g in goals] == [GOAL]
    ended = relationship_end(actor=personas.cara, relationship=pair, reason="left_program")
    assert ended.ended_at is not None


def test_the_api_answers_409_with_the_reason_and_still_reads(personas, pair, before, bearer):
    headers = bearer(personas.cara)
    client = Client()
    refused = client.post(
        f"{BASE}/{pair.public_id}/goals",
        {"title": "late"},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "archived" and "archived" in refused.json()["message"]
    read = client.get(f"{BASE}/{pair.public_id}/goals", headers=headers)
    assert read.status_code == 200 and read.json()["items"][0]["title"] == GOAL


def test_a_write_into_a_program_archived_after_loading_is_still_refused(personas, pair):
    stale = pair  # loaded while the program ran; the check reads the program again
    program_archive(actor=personas.org_admin, program=personas.program)
    assert stale.program.archived_at is None
    _refused(lambda: note_create(actor=personas.cara, relationship=stale, body="late"))


def test_the_programs_pages_show_an_archived_banner(personas, pair, before, login):
    banner = "This program is archived"
    mentee = login(personas.cara)
    page = mentee.get(f"/relationships/{pair.public_id}/").content.decode()
    assert banner in page and GOAL in page
    hub = mentee.get(f"/matching/programs/{personas.program.public_id}/").content.decode()
    assert banner in hub
    chat = mentee.get(f"/messages/c/{before['chat'].public_id}/").content.decode()
    assert banner in chat and "See you Monday" in chat
    admin = login(personas.coordinator, Client())
    overview = admin.get(f"/relationships/program/{personas.program.public_id}/")
    assert banner in overview.content.decode()


def test_a_running_programs_pages_have_no_banner(personas, pair, login):
    page = login(personas.cara).get(f"/relationships/{pair.public_id}/").content.decode()
    assert "This program is archived" not in page
