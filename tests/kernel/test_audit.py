"""The audit log: recorded pending, sealed contiguous and chained, signed, and tamper-evident.

Tampering tests play an attacker who gets past the triggers (``audit_helpers.as_attacker``).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.audit.chain import (
    GENESIS,
    event_hash,
    event_line,
    event_values,
    line_hash,
    line_sql,
)
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent
from tests.kernel.audit_helpers import (
    EVENTS,
    as_attacker,
    bad_seq,
    forge,
    make_events,
    pending,
    rewrite_chain_from,
    sql,
)


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    settings.AUDIT_CHECKPOINT_EVERY = 0  # tests sign checkpoints explicitly unless they say so
    # The vault caches unwrapped keys per user id; ids are reused after each test's rollback.
    vault.forget_cached_keys()


@pytest.fixture
def people(db):
    return [
        User.objects.create_user(email=f"p{i}@audit.test", display_name=f"Person {i}")
        for i in range(3)
    ]


# --- recording and sealing ---------------------------------------------------------------------


def test_record_leaves_the_event_pending_until_the_sealer_chains_it(people):
    event = audit.record(action="test.touch", actor=people[0], subject=people[1])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.prev_hash, stored.hash) == (None, "", "")
    assert audit.seal() == 1
    stored.refresh_from_db()
    assert (stored.seq, stored.prev_hash) == (1, GENESIS)
    assert stored.hash == event_hash(event_values(stored))


def test_events_are_numbered_contiguously_and_each_holds_its_predecessors_hash(people):
    events = make_events(people, 5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    for event in AuditEvent.objects.all():
        assert event.hash == event_hash(event_values(event))


def test_the_database_renders_the_same_canonical_line_python_hashed(people):
    # Whole seconds (SQLite then stores no fraction), no organization, a list in extra.
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC), tick=False):
        audit.record(action="test.one", purpose="why — with ünïcode", extra={"ids": ["x", 1, True]})
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, 0, 120000, tzinfo=UTC), tick=False):
        audit.record(action="test.two", actor=people[0], organization=42, extra={"none": None})
    audit.record(action="test.touch", subject=people[1], target=("x", "y"))
    audit.seal()
    with connection.cursor() as cursor:
        cursor.execute(line_sql())
        rows = cursor.fetchall()
    assert len(rows) == 3
    for seq, stored, line in rows:
        event = AuditEvent.objects.get(seq=seq)
        assert line == event_line(event_values(event))
        assert line_hash(line) == stored


def test_sealing_numbers_pending_events_once_and_a_second_seal_changes_nothing(people):
    first = make_events(people, 3)
    later = pending(occurred_at=datetime(2026, 5, 1, tzinfo=UTC))
    assert audit.seal() == 1
    later.refresh_from_db()
    assert (later.seq, later.prev_hash) == (4, first[-1].hash)
    assert later.hash == event_hash(event_values(later))
    before = list(AuditEvent.objects.values_list("seq", "prev_hash", "hash"))
    assert audit.seal() == 0
    assert list(AuditEvent.objects.values_list("seq", "prev_hash", "hash")) == before


def test_sealing_seals_a_long_backlog_batch_after_batch(people):
    for i in range(7):
        pending(extra={"i": i})
    assert audit.seal(batch=2) == 7
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == list(
        range(1, 8)
    )
    assert audit.verify().count == 7


def test_sealing_hashes_extra_exactly_as_stored(db):
    # Written by hand (not canonical): the hash must cover these bytes, which verify re-reads.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EVENTS} (occurred_at, actor, actor_role, action, target_type, "  # noqa: S608
            "target_id, subject, purpose, category, extra, prev_hash, hash) "
            "VALUES (%s, 'system', '', 'test.one', '', '', '', '', '', %s, '', '')",
            [connection.ops.adapt_datetimefield_value(datetime.now(UTC)), '{"b": 1, "a": 2}'],
        )
    assert audit.seal() == 1
    assert audit.verify().ok


def test_the_seal_command_seals_what_is_pending(people, capsys):
    make_events(people, 2)
    pending()
    call_command("audit", "seal")
    assert "1 pending audit events sealed" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def test_verify_and_checkpoint_seal_pending_events_first(people):
    make_events(people, 2)
    pending()
    cp = audit.checkpoint()
    assert cp.seq == 3
    pending()
    result = audit.verify()
    assert (result.ok, result.count, result.stale_pending) == (True, 4, 0)


def test_verify_warns_about_events_left_pending_too_long(people, capsys):
    make_events(people, 2)
    pending(occurred_at=datetime.now(UTC) - timedelta(seconds=audit.PENDING_GRACE_SECONDS + 5))
    pending()  # recent: a sealer is about to pick it up
    result = audit.verify(seal_first=False)
    assert (result.ok, result.count, result.stale_pending) == (True, 2, 1)
    call_command("audit", "verify", "--no-seal")
    out = capsys.readouterr()
    assert "audit log OK: 2 events" in out.out
    assert "WARNING: 1 event(s) still unsealed" in out.err


def test_record_access_writes_one_event_per_person_read_in_one_insert(people):
    viewer, *read = people
    with CaptureQueriesContext(connection) as queries:
        events = audit.record_access(
            viewer=viewer,
            subjects=[*read, viewer, read[0]],  # oneself and repeats are not recorded
            category="personal",
            purpose="list the mentees' goals",
        )
    inserts = [q for q in queries if q["sql"].startswith(f"INSERT INTO {EVENTS}")]
    assert len(inserts) == 1
    assert [e.subject for e in events] == [audit.pseudonym(p) for p in read]
    assert AuditEvent.objects.filter(action="data.read").count() == 2
    assert (
        audit.record_access(viewer=viewer, subject=viewer, category="personal", purpose="x") == []
    )


# --- what an event may hold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"note": "I feel anxious about my manager"},
        {"email": "cara.mentee@demo.test"},
        {"id": uuid.UUID("6f1c2a52-0b7e-4a3e-9f55-1f0c2d3e4b5a")},
        {"id": "6f1c2a52-0b7e-4a3e-9f55-1f0c2d3e4b5a"},
        {"id": "6f1c2a520b7e4a3e9f551f0c2d3e4b5a"},
        {"program": "demo-2026"},
        {"row": "12345"},
        {"payload": {"nested": "object"}},
        {"amount": 1.5},
        {"Bad Key": "ok"},
        {"items": ["fine", "not fine at all"]},
    ],
)
def test_recording_refuses_content_and_identifiers_in_extra(db, extra):
    with pytest.raises(audit.AuditError):
        audit.record(action="test.one", extra=extra)
    assert not AuditEvent.objects.exists()


def test_recording_refuses_control_characters_unknown_categories_and_undeclared_actions(db):
    with pytest.raises(audit.AuditError):
        audit.record(action="test.one", purpose="line one\nline two")
    with pytest.raises(audit.AuditError):
        audit.record(action="test.one", target=("t", "a\x1fb"))
    with pytest.raises(audit.AuditError, match="not declared"):
        audit.record(action="test.never_declared")
    with pytest.raises(audit.AuditError):
        audit.record(action="test.one", category="gossip")
    with pytest.raises(audit.AuditError, match="declared with category"):
        audit.record(action="test.touch", category="personal")  # declared "program"
    assert not AuditEvent.objects.exists()


def test_counts_flags_codes_and_references_are_recorded(people):
    cara = people[2]
    event = audit.record(
        action="test.touch",
        subject=cara,
        extra={"count": 3, "signup": False, "role": "mentor", "fields": ["a_b"], "ref": people[0]},
    )
    stored = AuditEvent.objects.get(pk=event.pk).extra
    assert stored == {
        "count": 3,
        "signup": False,
        "role": "mentor",
        "fields": ["a_b"],
        "ref": audit.target_pseudonym(cara, people[0]),  # keyed to the subject, like the target
    }
    assert stored["ref"] != str(people[0].public_id)


def test_an_action_takes_its_declared_category_by_default(db):
    event = audit.record(action="test.touch")
    assert event.category == "program"


# --- verification ------------------------------------------------------------------------------


def test_verify_passes_on_an_untouched_log_and_prints_the_event_count(people, capsys):
    make_events(people, 7)
    audit.checkpoint()
    call_command("audit", "verify")
    assert "audit log OK: 7 events, 1 signed checkpoints, 1 anchored" in capsys.readouterr().out


def test_verify_passes_on_an_empty_log(db):
    result = audit.verify()
    assert result.ok and result.count == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "'account.delete'"),
        ("actor", "'someone-else'"),
        ("subject", "''"),
        ("target_id", "'0123'"),
        ("purpose", "'a better story'"),
        ("extra", "'{\"n\":99}'"),
        ("organization_id", "7"),
        ("hash", "'" + "f" * 64 + "'"),
        ("prev_hash", "'" + "e" * 64 + "'"),
    ],
)
def test_verify_names_an_altered_row(people, column, value):
    make_events(people, 6)
    sql(f"UPDATE {EVENTS} SET {column} = {value} WHERE seq = 4")  # noqa: S608
    assert bad_seq() == 4


def test_verify_names_a_row_whose_time_was_altered(people):
    make_events(people, 6)
    with as_attacker():
        AuditEvent.objects.filter(seq=2).update(occurred_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert bad_seq() == 2


def test_verify_names_a_row_altered_with_its_own_hash_recomputed(people):
    make_events(people, 6)
    event = AuditEvent.objects.get(seq=3)
    event.action = "nothing.happened"
    with as_attacker():
        AuditEvent.objects.filter(seq=3).update(
            action=event.action, hash=event_hash(event_values(event))
        )
    # Event 3 is now self-consistent; event 4 still names the original as its predecessor.
    assert bad_seq() == 4


def test_verify_names_a_deleted_row(people):
    make_events(people, 6)
    sql(f"DELETE FROM {EVENTS} WHERE seq = 3")  # noqa: S608
    result = audit.verify()
    assert (result.ok, result.bad_seq, result.count) == (False, 3, 2)
    assert "missing" in result.reason


def test_verify_names_a_forged_row_appended_at_the_end(people):
    make_events(people, 5)
    forge(6, prev_hash="0" * 64)
    assert bad_seq() == 6


def test_verify_names_a_self_consistent_row_inserted_in_the_middle(people):
    events = make_events(people, 6)
    sql(f"UPDATE {EVENTS} SET seq = -seq WHERE seq >= 3")  # noqa: S608
    sql(f"UPDATE {EVENTS} SET seq = 1 - seq WHERE seq < 0")  # noqa: S608
    forge(3, prev_hash=events[1].hash)
    result = audit.verify()
    assert (result.bad_seq, result.reason) == (3, "was inserted: the next event does not follow it")


def test_verify_names_reordered_rows(people):
    make_events(people, 6)
    sql(f"UPDATE {EVENTS} SET seq = -1 WHERE seq = 3")  # noqa: S608
    sql(f"UPDATE {EVENTS} SET seq = 3 WHERE seq = 4")  # noqa: S608
    sql(f"UPDATE {EVENTS} SET seq = 4 WHERE seq = -1")  # noqa: S608
    assert bad_seq() == 3


@pytest.mark.parametrize(
    "tamper",
    [
        f"UPDATE {EVENTS} SET purpose = 'edited' WHERE seq = 5",  # noqa: S608
        f"DELETE FROM {EVENTS} WHERE seq = 5",  # noqa: S608
        f"UPDATE {EVENTS} SET seq = seq + 100 WHERE seq IN (4, 5)",  # noqa: S608
        f"UPDATE {EVENTS} SET prev_hash = hash WHERE seq = 5",  # noqa: S608
    ],
    ids=["altered", "deleted", "moved-away", "relinked"],
)
def test_verify_in_small_chunks_finds_tampering_at_a_chunk_boundary(people, tamper):
    make_events(people, 9)
    audit.checkpoint()
    assert audit.verify(batch=2).ok
    sql(tamper)
    result = audit.verify(batch=2)
    assert not result.ok
    assert result.bad_seq in (4, 5)


def test_verify_command_exits_1_naming_the_first_bad_sequence_number(people):
    make_events(people, 5)
    sql(f"UPDATE {EVENTS} SET action = 'x.y' WHERE seq = 2")  # noqa: S608
    sql(f"UPDATE {EVENTS} SET action = 'x.y' WHERE seq = 4")  # noqa: S608
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    assert "FAILED at event 2:" in str(failure.value)


# --- checkpoints -------------------------------------------------------------------------------


def test_a_recomputed_chain_is_caught_by_the_signed_checkpoint(people):
    make_events(people, 5)
    audit.checkpoint()
    make_events(people, 5)
    audit.checkpoint()
    rewrite_chain_from(7)
    result = audit.verify()
    assert (result.ok, result.bad_seq) == (False, 10)
    assert "rewritten after 5" in result.reason


def test_tail_truncation_behind_the_last_checkpoint_is_caught(people):
    make_events(people, 10)
    audit.checkpoint()
    sql(f"DELETE FROM {EVENTS} WHERE seq >= 8")  # noqa: S608
    result = audit.verify()
    assert (result.ok, result.bad_seq, result.count) == (False, 8, 7)
    assert "before anchored checkpoint 10" in result.reason


def test_a_checkpoint_with_a_forged_signature_fails(people):
    make_events(people, 4)
    audit.checkpoint()
    forged = Ed25519PrivateKey.generate().sign(b"anything")
    with as_attacker():
        AuditCheckpoint.objects.filter(seq=4).update(signature=base64.b64encode(forged).decode())
    result = audit.verify()
    assert (result.ok, result.bad_seq) == (False, 4)
    assert "signature" in result.reason


def test_a_checkpoint_signed_by_an_unknown_key_fails(people, settings, tmp_path):
    make_events(people, 4)
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "attacker.key")
    audit.checkpoint()  # signed with a key the operator never trusted
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    assert bad_seq() == 4


def test_sealing_signs_a_checkpoint_every_n_events(people, settings):
    settings.AUDIT_CHECKPOINT_EVERY = 4
    make_events(people, 9)
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [4, 8]
    for _ in range(3):
        pending()
    audit.seal(batch=2)  # the multiple falls inside a later batch
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [4, 8, 12]
    assert audit.verify().ok


def test_checkpoint_on_demand_is_idempotent(people, capsys):
    make_events(people, 3)
    call_command("audit", "checkpoint")
    call_command("audit", "checkpoint")
    assert AuditCheckpoint.objects.count() == 1
    assert "checkpoint at event 3 signed by key" in capsys.readouterr().out


def test_the_checkpoint_task_signs_the_head(people):
    from mentorhaven.kernel.tasks import audit_checkpoint

    make_events(people, 3)
    result = audit_checkpoint.enqueue()
    assert result.return_value == 3
    assert AuditCheckpoint.objects.get().seq == 3


# --- signing keys --------------------------------------------------------------------------


def test_keygen_writes_a_private_key_file_readable_only_by_its_owner(tmp_path):
    path = tmp_path / "keys" / "audit.key"
    call_command("audit", "keygen", str(path))
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        call_command("audit", "keygen", str(path))


def test_rotation_keeps_old_checkpoints_verifiable_and_signs_new_ones_with_the_new_key(
    people, settings
):
    path = settings.AUDIT_SIGNING_KEY_FILE
    make_events(people, 2)
    old = audit.checkpoint()
    call_command("audit", "keygen", path, "--rotate")
    make_events(people, 2)
    new = audit.checkpoint()
    assert old.key_id != new.key_id
    assert Path(path).read_bytes().count(b"PRIVATE KEY-----") == 2  # BEGIN + END of one key
    assert audit.verify().ok


def test_the_development_key_is_created_with_mode_0600_on_first_use(people, settings):
    make_events(people, 1)
    audit.checkpoint()
    assert os.stat(settings.AUDIT_SIGNING_KEY_FILE).st_mode & 0o777 == 0o600


def test_an_unreadable_signing_key_does_not_stop_sealing_but_fails_checkpoint_and_verify(
    people, settings, tmp_path
):
    broken = tmp_path / "broken.key"
    broken.write_text("not a key")
    settings.AUDIT_SIGNING_KEY_FILE = str(broken)
    settings.AUDIT_CHECKPOINT_EVERY = 2
    make_events(people, 3)
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert not AuditCheckpoint.objects.exists()
    with pytest.raises(CommandError, match="no private key"):
        call_command("audit", "checkpoint")
    with pytest.raises(CommandError, match="no private key"):
        call_command("audit", "verify")


# --- erasure -----------------------------------------------------------------------------------


def test_after_shredding_a_person_their_events_can_no_longer_be_linked_to_them(people):
    cara = people[2]
    make_events(people, 4)
    old = audit.pseudonym(cara)
    assert audit.pseudonyms_of([p.pk for p in people])[old] == cara.pk
    assert audit.events_about(cara).count() == 4

    vault.shred(cara)

    assert audit.pseudonym(cara) == audit.ERASED
    assert old not in audit.pseudonyms_of([p.pk for p in people])
    assert not audit.events_about(cara).exists()
    assert AuditEvent.objects.filter(subject=old).count() == 4  # the rows remain, unlinkable
    later = audit.record(action="test.touch", subject=cara, target=("test.thing", 1))
    assert (later.subject, later.target_id) == (audit.ERASED, audit.ERASED)
    result = audit.verify()
    assert result.ok and result.count == 5


def test_the_pseudonym_is_a_keyed_hash_not_a_hash_of_an_identifier(people):
    person = people[0]
    guesses = {
        hashlib.sha256(str(v).encode()).hexdigest()[:32]
        for v in (person.pk, person.email, person.public_id)
    }
    assert audit.pseudonym(person) not in guesses
