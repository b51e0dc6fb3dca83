"""The append-only rule, on SQLite as on PostgreSQL: plain triggers from kernel migration 0007.

These run through the app's own connection, with no trigger switched off: only sealing a
pending row may update an event, nothing may be deleted, only pending rows may be inserted,
checkpoints never change.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from mentorhaven.kernel import audit
from mentorhaven.kernel.models import AuditEvent
from tests.kernel.audit_helpers import CHECKPOINTS, EVENTS, TRIGGERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")


def refused(statement: str, params=()) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)


SEAL = "UPDATE kernel_auditevent SET seq = 2, prev_hash = %s, hash = %s"


def test_sealed_events_cannot_be_changed_or_deleted():
    audit.record(action="test.one")
    audit.checkpoint()
    refused(f"UPDATE {EVENTS} SET action = 'x.y'")  # noqa: S608
    refused(f"UPDATE {EVENTS} SET hash = %s", ["f" * 64])  # noqa: S608
    refused(f"UPDATE {EVENTS} SET seq = NULL, hash = '', prev_hash = ''")  # noqa: S608
    refused(f"DELETE FROM {EVENTS}")  # noqa: S608
    refused(f"UPDATE {CHECKPOINTS} SET hash = 'x'")  # noqa: S608
    refused(f"DELETE FROM {CHECKPOINTS}")  # noqa: S608
    assert audit.verify().ok


def test_a_pending_event_may_only_be_sealed():
    audit.record(action="test.one")
    audit.seal()
    row = audit.record(action="test.two")
    hashes = ["a" * 64, "b" * 64]
    refused(f"UPDATE {EVENTS} SET action = 'x.y' WHERE id = %s", [row.pk])  # noqa: S608
    refused(f"{SEAL}, purpose = 'other' WHERE id = %s", [*hashes, row.pk])
    refused(f"{SEAL}, organization_id = 7 WHERE id = %s", [*hashes, row.pk])
    refused(f"{SEAL} WHERE id = %s", ["a" * 10, "b" * 64, row.pk])
    refused(f"DELETE FROM {EVENTS} WHERE id = %s", [row.pk])  # noqa: S608
    with connection.cursor() as cursor:  # what the sealer does: allowed, once
        cursor.execute(f"{SEAL} WHERE id = %s", [*hashes, row.pk])
    refused(f"{SEAL} WHERE id = %s", [*hashes, row.pk])


def test_only_pending_events_may_be_inserted():
    columns = (
        "occurred_at, actor, actor_role, action, target_type, target_id, subject, purpose,"
        " category, extra, seq, prev_hash, hash"
    )
    now = connection.ops.adapt_datetimefield_value(audit.record(action="test.one").occurred_at)
    values = "%s, 'system', '', 'forged.event', '', '', '', '', '', '{}', %s, %s, %s"
    insert = f"INSERT INTO {EVENTS} ({columns}) VALUES ({values})"  # noqa: S608
    refused(insert, [now, 1, "0" * 64, "1" * 64])
    refused(insert, [now, None, "", "1" * 64])
    assert AuditEvent.objects.count() == 1


def test_the_triggers_exist_and_cover_every_column_of_the_model():
    names = set(TRIGGERS.SQLITE_TRIGGERS)
    if connection.vendor == "postgresql":
        names = {
            "mentorhaven_audit_pending_only",
            "mentorhaven_audit_seal_only",
            "mentorhaven_audit_no_delete",
            "mentorhaven_audit_no_truncate",
            "mentorhaven_audit_frozen",
        }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'"
                " AND tgname LIKE 'mentorhaven_audit%%'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        found = {row[0] for row in cursor.fetchall()}
    assert names <= found
    # A table rebuild (an AlterField on SQLite) would drop them: a migration that changes the
    # audit tables must create them again; a new column must be added to FROZEN_COLUMNS.
    columns = {f.column for f in AuditEvent._meta.concrete_fields}
    assert columns - {"seq", "prev_hash", "hash"} == set(TRIGGERS.FROZEN_COLUMNS)
