"""The migrations that encrypt existing plaintext and re-bind existing ciphertext, run on rows
written the way the previous release wrote them: forwards everything reads as before and no
typed text is left in clear; backwards the plaintext comes back."""

from __future__ import annotations

import io
import secrets
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mentorhaven.kernel import vault
from mentorhaven.kernel.fields import Sealed
from mentorhaven.kernel.storage import EncryptedFileStore
from mentorhaven.kernel.vault import keys as vault_keys

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("kernel", "0006_audit_sealer_notify"),
    ("accounts", "0001_initial"),
    ("programs", "0002_invitation_display_name"),
    ("mentoring", "0002_goals_meetings_notes_feedback"),
    ("matching", "0001_profiles_questions_runs"),
    ("messaging", "0001_conversations_messages_safety"),
    ("files", "0001_files_and_share_links"),
]


@pytest.fixture(autouse=True)
def file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    vault.forget_cached_keys()
    return executor


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _raw(table: str, column: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608
        return [bytes(v) if isinstance(v, memoryview) else v for (v,) in cursor.fetchall()]


def _legacy_key(apps, subject_id: int) -> None:
    """A key row as the previous release wrote it (one wrapping purpose for both secrets),
    and the key put in this process's cache so the vault can encrypt the old way."""
    key, secret = secrets.token_bytes(32), secrets.token_bytes(32)
    legacy = vault.LEGACY_WRAP_PURPOSE
    apps.get_model("kernel", "SubjectKey").objects.create(
        subject_id=subject_id,
        kek_version="v1",
        wrapped_key=vault.wrap_data_key(subject_id, key, "v1", purpose=legacy),
        wrapped_secret=vault.wrap_data_key(subject_id, secret, "v1", purpose=legacy),
    )
    vault_keys._cache[subject_id] = vault_keys._Entry(key, secret, time.time(), time.time() + 600)


def _old_ciphertext(table, column, row, subject_id, text: str) -> Sealed:
    """Ciphertext as the previous release wrote it (nothing but the row bound), stored as is."""
    binding = vault.Binding(table, column, str(row), str(subject_id))
    return Sealed(vault.encrypt(subject_id, text.encode(), binding))


def _write_previous_release(apps) -> dict:
    get = apps.get_model
    User = get("accounts", "User")
    mentee = User.objects.create(email="mentee@old.test", password="!", display_name="Mentee")
    mentor = User.objects.create(email="mentor@old.test", password="!", display_name="Mentor")
    for person in (mentee, mentor):
        _legacy_key(apps, person.pk)
    org = get("programs", "Organization").objects.create(name="Old", slug="old")
    program = get("programs", "Program").objects.create(organization=org, name="P", slug="p")
    relationship = get("mentoring", "Relationship").objects.create(
        program=program, mentee=mentee, mentor=mentor, status="active"
    )
    goal_id = uuid.uuid4()
    goal = get("mentoring", "Goal").objects.create(
        public_id=goal_id,
        relationship=relationship,
        owner=mentee,
        title="Old goal title",
        description=_old_ciphertext("mentoring_goal", "description", goal_id, mentee.pk, "Old"),
    )
    get("mentoring", "Milestone").objects.create(goal=goal, title="Old milestone")
    note_id = uuid.uuid4()
    get("mentoring", "Note").objects.create(
        public_id=note_id,
        relationship=relationship,
        author=mentee,
        body=_old_ciphertext("mentoring_note", "body", note_id, mentee.pk, "Old note"),
    )
    get("mentoring", "Meeting").objects.create(
        relationship=relationship,
        proposed_by=mentor,
        slots=[(timezone.now() + timedelta(days=1)).isoformat()],
        location="Old cafe",
    )
    get("accounts", "ApiToken").objects.create(
        user=mentee,
        name="Old laptop",
        prefix="mh_old",
        token_hash="0" * 64,
        expires_at=timezone.now() + timedelta(days=30),
    )
    get("matching", "Profile").objects.create(
        program=program, user=mentee, role="mentee", headline="Old headline"
    )
    run = get("matching", "MatchRun").objects.create(program=program, method="auto")
    factors = [{"code": "shared", "text": "both chose: old topic"}]
    get("matching", "MatchPair").objects.create(
        run=run, mentee=mentee, mentor=mentor, score=0.75, factors=factors
    )
    get("matching", "MatchExplanation").objects.create(
        relationship=relationship, score=0.75, factors=factors
    )
    conversation = get("messaging", "Conversation").objects.create(
        kind="relationship", program=program, relationship=relationship, last_seq=1
    )
    message_id = uuid.uuid4()
    get("messaging", "Message").objects.create(
        public_id=message_id,
        conversation=conversation,
        seq=1,
        author=mentor,
        body=_old_ciphertext("messaging_message", "body", message_id, mentor.pk, "Old message"),
    )
    file_id = uuid.uuid4()
    store = EncryptedFileStore()
    content = vault.Binding("files_storedfile", "content", str(file_id), str(mentee.pk))
    name = store.store(subject=mentee.pk, fileobj=io.BytesIO(b"old file bytes"), binding=content)
    get("files", "StoredFile").objects.create(
        public_id=file_id,
        uploader=mentee,
        relationship=relationship,
        filename=_old_ciphertext("files_storedfile", "filename", file_id, mentee.pk, "old.txt"),
        mime_type="text/plain",
        size=14,
        storage_name=name,
    )
    return {"mentee": mentee.pk, "old_blob": name}


def test_existing_rows_are_encrypted_rebound_and_back_again(settings):
    old_apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
    latest = _latest()
    try:
        made = _write_previous_release(old_apps)
        vault.forget_cached_keys()
        _migrate(latest)

        from mentorhaven.accounts.models import ApiToken
        from mentorhaven.files.models import StoredFile
        from mentorhaven.files.services import file_store
        from mentorhaven.matching.models import MatchExplanation, MatchPair, Profile
        from mentorhaven.mentoring.models import Goal, Meeting, Milestone, Note
        from mentorhaven.messaging.models import Message

        assert Goal.objects.get().title == "Old goal title"
        assert Goal.objects.get().description == "Old"
        assert Milestone.objects.get().title == "Old milestone"
        assert Milestone.objects.get().owner_id == made["mentee"]
        assert Note.objects.get().body == "Old note"
        assert Meeting.objects.get().location == "Old cafe"
        assert ApiToken.objects.get().name == "Old laptop"
        assert Profile.objects.get().headline == "Old headline"
        pair = MatchPair.objects.get()
        assert (pair.score, pair.factors[0]["text"]) == (0.75, "both chose: old topic")
        explanation = MatchExplanation.objects.get()
        assert explanation.mentee_id == made["mentee"] and explanation.score == 0.75
        assert Message.objects.get().body == "Old message"
        stored = StoredFile.objects.get()
        assert stored.filename == "old.txt"
        assert stored.storage_name != made["old_blob"]
        chunks = file_store().open(
            subject=stored.uploader_id, name=stored.storage_name, binding=stored.content_binding()
        )
        assert b"".join(chunks) == b"old file bytes"
        for table, column in [
            ("mentoring_goal", "title"),
            ("mentoring_milestone", "title"),
            ("mentoring_meeting", "location"),
            ("accounts_apitoken", "name"),
            ("matching_profile", "headline"),
            ("matching_matchpair", "factors"),
            ("matching_matchpair", "score"),
            ("matching_matchexplanation", "factors"),
        ]:
            for value in _raw(table, column):
                assert isinstance(value, bytes) and value[:1] == vault.FORMAT_VERSION, table

        # And back: the previous release finds its plaintext again.
        old_apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
        assert _raw("mentoring_goal", "title") == ["Old goal title"]
        assert _raw("mentoring_meeting", "location") == ["Old cafe"]
        assert _raw("accounts_apitoken", "name") == ["Old laptop"]
        assert old_apps.get_model("matching", "MatchPair").objects.get().score == 0.75
    finally:
        _migrate(latest)
