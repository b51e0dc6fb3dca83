"""The insider with a copy of the database: nothing a person wrote can be read in it, nothing
derived from it either, and the attributes that decide who may read a row are bound into its
ciphertext, so changing them in SQL makes the row unreadable instead of exposing it.

Everything is written through the real services (or, where a service needs a past meeting,
through the real models), then the whole database is read back table by table, as a stolen
copy would be.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.files.models import StoredFile
from mentorhaven.files.services import file_upload
from mentorhaven.kernel.fields import is_unreadable
from mentorhaven.matching.models import MatchExplanation, MatchPair
from mentorhaven.matching.services import match_run_create, match_run_publish
from mentorhaven.mentoring.models import Feedback, Goal, Meeting, Note
from mentorhaven.mentoring.services import (
    goal_create,
    goal_progress_add,
    meeting_propose,
    milestone_add,
    note_create,
    note_edit,
)
from mentorhaven.messaging.models import Message
from mentorhaven.messaging.services import (
    conversation_for_relationship,
    message_send,
    report_create,
)
from tests.matching.conftest import fill, questionnaire  # noqa: F401  (fixture re-export)
from tests.mentoring.conftest import make_active

pytestmark = pytest.mark.django_db

FACTOR_TEXT = "both chose"


@pytest.fixture(autouse=True)
def file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def database_copy() -> list[tuple[str, str, object]]:
    """Every value of every column of every table, as an insider's copy holds them."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                values.extend(
                    (table, column, value) for column, value in zip(columns, row, strict=True)
                )
    return values


def found_in_copy(needle: str) -> list[str]:
    encoded = needle.casefold().encode()
    places = []
    for table, column, value in database_copy():
        if isinstance(value, memoryview):
            value = bytes(value)
        if isinstance(value, bytes):
            hit = encoded in value.lower()
        else:
            hit = needle.casefold() in str(value).casefold()
        if hit:
            places.append(f"{table}.{column}")
    return places


@pytest.fixture
def written(personas, questionnaire):  # noqa: F811
    """A person's writing in every place the application keeps it, each with its own marker."""
    p = personas
    relationship = make_active(p, p.dev, p.ben)  # before matching: dev is not matched again
    fill(p.ana, p.program, "mentor", questionnaire, topics=["leadership", "career"], capacity=1)
    fill(p.cara, p.program, "mentee", questionnaire, topics=["leadership", "career"])
    from mentorhaven.matching.services import questionnaire_submit

    questionnaire_submit(
        actor=p.cara,
        program=p.program,
        role="mentee",
        answers={questionnaire["topics"]: ["leadership", "career"]},
        headline="Qmark-headline analyst",
        goals="Qmark-profile-goals",
    )
    run = match_run_create(actor=p.coordinator, program=p.program)
    match_run_publish(actor=p.coordinator, run=run)
    goal = goal_create(
        actor=p.dev, relationship=relationship, title="Qmark-goal-title", description="Qmark-goal"
    )
    milestone_add(actor=p.dev, goal=goal, title="Qmark-milestone")
    goal_progress_add(actor=p.dev, goal=goal, body="Qmark-progress")
    note_create(actor=p.dev, relationship=relationship, body="Qmark-note")
    meeting = meeting_propose(
        actor=p.dev,
        relationship=relationship,
        slots=[timezone.now() + timedelta(days=2)],
        location="Qmark-place https://meet.example/room",
        agenda="Qmark-agenda",
    )
    Feedback.objects.create(meeting=meeting, author=p.dev, rating=4, comment="Qmark-feedback")
    conversation = conversation_for_relationship(actor=p.dev, relationship=relationship)
    message = message_send(actor=p.ben, conversation=conversation, body="Qmark-message")
    report_create(actor=p.dev, message=message, reason="other", note="Qmark-report-note")
    file_upload(
        actor=p.dev,
        fileobj=io.BytesIO(b"Qmark-file-content"),
        declared_name="Qmark-filename.txt",
        relationship=relationship,
    )
    api_token_create(actor=p.dev, user=p.dev, name="Qmark-token-label", scope="read", days=None)
    return p


MARKERS = [
    "Qmark-headline",
    "Qmark-profile-goals",
    "Qmark-goal-title",
    "Qmark-goal",
    "Qmark-milestone",
    "Qmark-progress",
    "Qmark-note",
    "Qmark-place",
    "meet.example",
    "Qmark-agenda",
    "Qmark-feedback",
    "Qmark-message",
    "Qmark-report-note",
    "Qmark-filename",
    "Qmark-token-label",
]


@pytest.mark.parametrize("marker", MARKERS)
def test_a_copy_of_the_database_holds_nothing_a_person_wrote(written, marker):
    assert found_in_copy(marker) == [], f"{marker!r} is readable in the database copy"


def test_a_copy_of_the_database_holds_no_match_reasons_or_scores(written):
    p = written
    pair = MatchPair.objects.get(mentee=p.cara)
    assert any(FACTOR_TEXT in f["text"] for f in pair.factor_list)  # the reasons exist...
    assert found_in_copy(FACTOR_TEXT) == []  # ...but only as ciphertext
    assert found_in_copy("leadership") == ["matching_question.options"]  # the question's own text
    with connection.cursor() as cursor:
        for table in ("matching_matchpair", "matching_matchexplanation"):
            cursor.execute(f"SELECT score FROM {table}")  # noqa: S608
            scores = [row[0] for row in cursor.fetchall()]
            assert scores and all(isinstance(s, bytes | memoryview) for s in scores), table


def test_participants_and_admins_still_see_the_reasons_they_saw_before(written, client, login):
    p = written
    explanation = MatchExplanation.objects.get(mentee=p.cara)
    login(p.cara)
    why = client.get(f"/matching/relationships/{explanation.relationship.public_id}/why/")
    assert why.status_code == 200
    assert "both chose: career change, leadership" in why.content.decode()
    client.logout()
    login(p.coordinator)
    run = MatchPair.objects.get(mentee=p.cara).run
    page = client.get(f"/matching/runs/{run.public_id}/").content.decode()
    assert "both chose: career change, leadership" in page
    assert MatchPair.objects.get(mentee=p.cara).score_text in page


# --- bound attributes: flipped in SQL, the row becomes unreadable -------------------------------


@pytest.fixture
def two_pairs(personas):
    return make_active(personas, personas.cara, personas.ana), make_active(
        personas, personas.dev, personas.ben
    )


def test_a_private_note_shared_in_sql_is_unreadable_to_the_other_person(
    two_pairs, personas, client, login
):
    relationship, _ = two_pairs
    note = note_create(actor=personas.cara, relationship=relationship, body="Private worry")
    Note.objects.filter(pk=note.pk).update(shared=True)  # the insider's change
    login(personas.ana)
    page = client.get(f"/relationships/{relationship.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Private worry" not in text and "[unreadable]" in text


def test_sharing_a_note_through_the_service_re_encrypts_it_for_the_mentor(
    two_pairs, personas, client, login
):
    relationship, _ = two_pairs
    note = note_create(actor=personas.cara, relationship=relationship, body="Now I can say it")
    note_edit(actor=personas.cara, note=Note.objects.get(pk=note.pk), shared=True)
    login(personas.ana)
    text = client.get(f"/relationships/{relationship.public_id}/").content.decode()
    assert "Now I can say it" in text and "[unreadable]" not in text


def test_a_goal_moved_to_another_relationship_in_sql_is_unreadable_there(
    two_pairs, personas, client, login
):
    mine, theirs = two_pairs
    goal = goal_create(actor=personas.cara, relationship=mine, title="Leave my job")
    Goal.objects.filter(pk=goal.pk).update(relationship=theirs)
    login(personas.ben)  # ben mentors dev: the goal now appears in his relationship
    response = client.get(f"/api/v1/relationships/{theirs.public_id}/goals")
    assert response.status_code == 200
    assert "Leave my job" not in response.content.decode()
    assert "[unreadable]" in response.content.decode()


def test_a_message_moved_to_another_conversation_in_sql_is_unreadable_there(
    two_pairs, personas, client, login
):
    mine, theirs = two_pairs
    chat = conversation_for_relationship(actor=personas.cara, relationship=mine)
    other = conversation_for_relationship(actor=personas.dev, relationship=theirs)
    message = message_send(actor=personas.cara, conversation=chat, body="Only for Ana")
    Message.objects.filter(pk=message.pk).update(conversation=other, seq=other.last_seq + 1)
    login(personas.ben)
    response = client.get(f"/api/v1/relationships/{theirs.public_id}/messages")
    assert response.status_code == 200
    assert "Only for Ana" not in response.content.decode()
    assert "[unreadable]" in response.content.decode()


def test_a_file_moved_to_another_relationship_in_sql_is_unreadable_there(
    two_pairs, personas, client, login
):
    mine, theirs = two_pairs
    stored = file_upload(
        actor=personas.cara,
        fileobj=io.BytesIO(b"my payslip"),
        declared_name="payslip.txt",
        relationship=mine,
    )
    StoredFile.objects.filter(pk=stored.pk).update(relationship=theirs)
    login(personas.ben)
    detail = client.get(f"/files/{stored.public_id}/")
    assert detail.status_code < 500
    assert "payslip" not in detail.content.decode()
    content = client.get(f"/files/{stored.public_id}/content/")
    assert content.status_code == 409
    assert b"my payslip" not in content.content
    api = client.get(f"/api/v1/files/{stored.public_id}").json()
    assert (api["name"], api["unreadable"], api["erased"]) == (None, True, False)
    assert client.get(f"/api/v1/files/{stored.public_id}/content").json()["code"] == "unreadable"
    assert is_unreadable(StoredFile.objects.get(pk=stored.pk).filename)


def test_every_encrypted_field_that_others_may_read_is_bound_to_what_grants_it():
    """The fields whose readers are decided by a relationship, a conversation or a sharing flag
    carry those attributes in their binding (a new such field must say so too)."""
    expected = {
        "mentoring.goal": {"relationship"},
        "mentoring.goalupdate": {"goal"},
        "mentoring.milestone": {"goal"},
        "mentoring.note": {"relationship", "shared"},
        "mentoring.meeting": {"relationship"},
        "mentoring.feedback": {"meeting"},
        "messaging.message": {"conversation"},
        "messaging.report": {"program"},
        "files.storedfile": {"relationship"},
        "matching.profile": {"program"},
        "matching.answer": {"profile", "question"},
        "matching.matchpair": {"run", "mentor"},
        "matching.matchexplanation": {"relationship"},
    }
    from mentorhaven.kernel.fields import EncryptedField

    for label, bound in expected.items():
        model = apps.get_model(label)
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        assert fields, label
        for field in fields:
            assert set(field.bind) == bound, f"{label}.{field.name}"


def test_a_meeting_place_is_readable_by_both_participants(two_pairs, personas, client, login):
    relationship, _ = two_pairs
    meeting_propose(
        actor=personas.cara,
        relationship=relationship,
        slots=[timezone.now() + timedelta(days=3)],
        location="Cafe Lumen",
    )
    assert Meeting.objects.get(relationship=relationship).location == "Cafe Lumen"
    login(personas.ana)
    assert "Cafe Lumen" in client.get(f"/relationships/{relationship.public_id}/").content.decode()
