"""Who reaches what, measured on the real access helpers, and held to the brief's promises.

A world is built through the real services: Cara (a mentee) and Ana (her mentor) in an active
relationship, with one of each kind of thing inside it, a safety report, a match pair and a
"not this person" entry. Every row below is one kind of object and the ``access_*`` helper the
pages and the API use for it; every column is a relation *to the person the row is about* (the
data map's audiences, plus a person of another organization). Each cell is what the helper
answers: ``—`` (NotFound: the same as for an id that does not exist), ``see`` (found; writing
is PermissionDenied) or ``change``. Then the relationship ends and the inside is measured again.

The same table is in ``docs/privacy.md`` (section 4) and must stay identical to this measurement.
The promises are then checked on the measurement, written independently of it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.files.access import access_file, access_share_link
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.kernel.access import ROLES, Role
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.kernel.inventory import declaration_for
from mentorhaven.matching.access import access_exclusion, access_pair
from mentorhaven.matching.models import Exclusion, MatchPair
from mentorhaven.matching.services import exclusion_add, match_run_create
from mentorhaven.mentoring.access import (
    access_goal,
    access_meeting,
    access_milestone,
    access_note,
    access_relationship,
    access_relationship_content,
)
from mentorhaven.mentoring.services import (
    goal_create,
    meeting_propose,
    milestone_add,
    note_create,
    relationship_accept,
    relationship_end,
    relationship_propose,
)
from mentorhaven.messaging.access import access_conversation, access_message, access_report
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.messaging.services import report_create as report_create_service
from mentorhaven.programs.access import access_program
from mentorhaven.programs.models import OrgMembership

pytestmark = pytest.mark.django_db

OUTSIDER = "outsider"
COLUMNS = [*ROLES, OUTSIDER]
NONE, SEE, CHANGE = "—", "see", "change"
# What a person wrote or made inside a relationship: theirs alone to change.
WRITINGS = {
    "goal",
    "milestone",
    "note, shared",
    "note, private",
    "note by the mentor, shared",
    "message",
    "message by the mentor",
    "file",
    "share link",
}
# The spaces both participants act in while it is active: adding notes and files, answering a
# meeting, writing in the conversation.
SHARED_SPACES = {"relationship's inside", "meeting", "conversation"}
CONTENT = WRITINGS | SHARED_SPACES
ARCHIVE = {"conversation", "message", "message by the mentor"}
AFTER = " — after the relationship ended"
ADMINS = {Role.PROGRAM_ADMIN, Role.ORG_ADMIN, Role.AUDITOR, Role.SECURITY_OFFICER}


@pytest.fixture(autouse=True)
def _file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@dataclass(frozen=True)
class Row:
    label: str
    subject: str  # "mentee" (Cara) or "mentor" (Ana): whom the row is about
    helper: Callable
    obj: object


def _world(p) -> tuple[list[Row], object, dict]:
    officer = User.objects.create_user(email="so@demo.test", password=None, display_name="S O")
    OrgMembership.objects.create(
        organization=p.org, user=officer, role=OrgMembership.Role.SECURITY_OFFICER
    )
    rel = relationship_propose(actor=p.coordinator, program=p.program, mentee=p.cara, mentor=p.ana)
    relationship_accept(actor=p.cara, relationship=rel)
    rel = relationship_accept(actor=p.ana, relationship=rel)
    goal = goal_create(actor=p.cara, relationship=rel, title="Lead a team", description="why")
    milestone = milestone_add(actor=p.cara, goal=goal, title="First one-to-one")
    shared = note_create(actor=p.cara, relationship=rel, body="shared words", shared=True)
    private = note_create(actor=p.cara, relationship=rel, body="private words")
    mentor_note = note_create(actor=p.ana, relationship=rel, body="from Ana", shared=True)
    slot = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    meeting = meeting_propose(actor=p.cara, relationship=rel, slots=[slot], agenda="plans")
    conversation = conversation_for_relationship(actor=p.cara, relationship=rel)
    message = message_send(actor=p.cara, conversation=conversation, body="hello Ana")
    mentor_message = message_send(actor=p.ana, conversation=conversation, body="hello Cara")
    report = report_create_service(actor=p.cara, reason="other", message=mentor_message)
    file = file_upload(
        actor=p.cara, fileobj=io.BytesIO(b"cv\n"), declared_name="cv.txt", relationship=rel
    )
    link, _token = share_link_create(actor=p.cara, file=file)
    exclusion = exclusion_add(
        actor=p.cara,
        program=p.program,
        person=p.cara,
        other=p.dev,
        kind=Exclusion.Kind.NOT_THIS_PERSON,
    )
    run = match_run_create(actor=p.coordinator, program=p.program)
    pair = MatchPair.objects.create(run=run, mentee=p.cara, mentor=p.ben)
    rows = [
        Row("program", "mentee", access_program, p.program),
        Row("relationship (who, status, dates)", "mentee", access_relationship, rel),
        Row("relationship's inside", "mentee", access_relationship_content, rel),
        Row("goal", "mentee", access_goal, goal),
        Row("milestone", "mentee", access_milestone, milestone),
        Row("note, shared", "mentee", access_note, shared),
        Row("note, private", "mentee", access_note, private),
        Row("note by the mentor, shared", "mentor", access_note, mentor_note),
        Row("meeting", "mentee", access_meeting, meeting),
        Row("conversation", "mentee", access_conversation, conversation),
        Row("message", "mentee", access_message, message),
        Row("message by the mentor", "mentor", access_message, mentor_message),
        Row("file", "mentee", access_file, file),
        Row("share link", "mentee", access_share_link, link),
        Row("safety report", "mentee", access_report, report),
        Row("match pair in a draft run", "mentee", access_pair, pair),
        Row('"not this person" entry', "mentee", access_exclusion, exclusion),
    ]
    # Who holds each relation to Cara, and to Ana.
    common = {
        Role.PROGRAM_ADMIN: p.coordinator,
        Role.ORG_ADMIN: p.org_admin,
        Role.AUDITOR: p.auditor,
        Role.SECURITY_OFFICER: officer,
        OUTSIDER: p.outsider,
    }
    viewers = {
        "mentee": {**common, Role.SELF: p.cara, Role.MENTOR: p.ana, Role.PEER: p.dev},
        "mentor": {**common, Role.SELF: p.ana, Role.MENTEE: p.cara, Role.PEER: p.ben},
    }
    return rows, rel, viewers


def _cell(row: Row, viewer: User | None) -> str:
    if viewer is None:
        return ""
    public_id = row.obj.public_id  # type: ignore[attr-defined]
    try:
        row.helper(viewer, public_id)
    except NotFound:
        return NONE
    try:
        row.helper(viewer, public_id, write=True)
    except PermissionDenied:
        return SEE
    return CHANGE


def _measure(rows: list[Row], viewers: dict, suffix: str = "") -> dict[str, dict[str, str]]:
    return {
        row.label + suffix: {str(col): _cell(row, viewers[row.subject].get(col)) for col in COLUMNS}
        for row in rows
    }


@dataclass
class Measured:
    table: dict[str, dict[str, str]]
    rows: dict[str, Row]


@pytest.fixture
def measured(personas) -> Measured:
    rows, relationship, viewers = _world(personas)
    table = _measure(rows, viewers)
    relationship_end(actor=personas.cara, relationship=relationship, reason="not_a_fit")
    after = [row for row in rows if row.label in CONTENT]
    table.update(_measure(after, viewers, AFTER))
    return Measured(table, {row.label: row for row in rows})


@pytest.fixture
def matrix(measured) -> dict[str, dict[str, str]]:
    return measured.table


def markdown(matrix: dict[str, dict[str, str]]) -> str:
    lines = [
        "| what (about whom) | " + " | ".join(COLUMNS) + " |",
        "| --- |" + " --- |" * len(COLUMNS),
    ]
    for label, cells in matrix.items():
        lines.append(f"| {label} | " + " | ".join(cells[c] or "n/a" for c in COLUMNS) + " |")
    return "\n".join(lines)


def test_the_privacy_doc_shows_the_measured_table(matrix):
    doc = (Path(settings.PROJECT_DIR) / "docs" / "privacy.md").read_text()
    block = re.search(r"<!-- access-matrix:start -->\n(.*?)\n<!-- access-matrix:end -->", doc, re.S)
    assert block, "docs/privacy.md lost its access-matrix markers"
    assert block.group(1) == markdown(matrix), "\n" + markdown(matrix)


# --- the promises, written independently of the measurement ------------------------------------


def _cells(matrix, *, rows=None, columns=None) -> dict[tuple[str, str], str]:
    return {
        (label, col): value
        for label, cells in matrix.items()
        for col, value in cells.items()
        if (rows is None or any(label.startswith(r) for r in rows))
        and (columns is None or col in columns)
        and value
    }


def test_someone_of_another_organization_reaches_nothing(matrix):
    assert set(_cells(matrix, columns={OUTSIDER}).values()) == {NONE}


def test_admins_never_reach_what_is_inside_a_relationship(matrix):
    # Program and organization admins, auditors, security officers: counts elsewhere, never
    # goals, notes, meetings, messages or files.
    reached = {k: v for k, v in _cells(matrix, rows=CONTENT, columns=ADMINS).items() if v != NONE}
    assert not reached


def test_a_private_note_is_its_authors_alone(matrix):
    for label in ("note, private", "note, private" + AFTER):
        cells = dict(matrix[label])
        assert cells.pop(Role.SELF) == CHANGE, label
        assert set(cells.values()) - {""} == {NONE}, label


def test_people_of_the_same_program_see_the_program_and_nothing_of_each_other(matrix):
    peer = {label: v for (label, _), v in _cells(matrix, columns={Role.PEER}).items()}
    assert peer.pop("program") == SEE
    assert set(peer.values()) == {NONE}


def test_the_mentor_reads_the_inside_only_while_active_and_changes_none_of_the_mentees(matrix):
    mentor = {label: cells[Role.MENTOR] for label, cells in matrix.items() if cells[Role.MENTOR]}
    for label in WRITINGS & set(mentor):
        assert mentor[label] in (SEE, NONE), label  # reads the mentee's writing, never changes it
    assert mentor["goal"] == mentor["note, shared"] == mentor["file"] == SEE
    for label in SHARED_SPACES:
        assert mentor[label] == CHANGE, label  # a participant acts in the shared space
    after = {label.removesuffix(AFTER): v for label, v in mentor.items() if label.endswith(AFTER)}
    assert after
    for label, value in after.items():
        # Only the conversation stays, as a read-only archive (messaging/access.py says why).
        assert value == (SEE if label in ARCHIVE else NONE), label


def test_only_the_person_changes_their_own_writing(matrix):
    for label, cells in matrix.items():
        if label.removesuffix(AFTER) in WRITINGS:
            changers = {col for col, value in cells.items() if value == CHANGE}
            assert changers <= {Role.SELF}, label
    assert matrix["goal"][Role.SELF] == matrix["message"][Role.SELF] == CHANGE


def test_nobody_changes_a_shared_space_after_the_end(matrix):
    for label in SHARED_SPACES:
        assert CHANGE not in matrix[label + AFTER].values(), label


def test_after_the_end_the_mentee_keeps_their_history_and_both_keep_the_conversation(matrix):
    after = AFTER
    assert matrix["goal" + after][Role.SELF] == SEE
    assert matrix["note, private" + after][Role.SELF] == CHANGE  # still theirs to delete
    assert matrix["conversation" + after][Role.SELF] == SEE  # a read-only archive
    assert matrix["message by the mentor" + after][Role.MENTEE] == SEE
    assert matrix["share link" + after][Role.SELF] == CHANGE  # to revoke it


def test_a_safety_report_reaches_the_programs_admins_only(matrix):
    report = matrix["safety report"]
    assert report[Role.PROGRAM_ADMIN] == report[Role.ORG_ADMIN] == CHANGE
    others = {report[c] for c in COLUMNS if c not in (Role.PROGRAM_ADMIN, Role.ORG_ADMIN)}
    assert others - {""} == {NONE}  # "" where the row has no such person


def test_the_data_map_names_everyone_who_reaches_a_row(measured):
    """The data map (``visible_to`` in each app's inventory) must name every audience the
    helpers let reach a row of that model: it may not promise less than the code does."""
    missing = []
    for label, cells in measured.table.items():
        row = measured.rows[label.removesuffix(AFTER)]
        declaration = declaration_for(row.obj)
        if declaration is None:
            continue
        named = {r for f in declaration.fields.values() for r in f.visible_to}
        for col, value in cells.items():
            if value in (SEE, CHANGE) and col not in named:
                missing.append((label, col))
    assert not missing, missing
