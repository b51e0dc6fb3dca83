"""PostgreSQL-only guarantees of the audit log: triggers refuse changes; parallel appends chain."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.models import AuditEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: set DATABASE_URL=postgres://…",
    ),
]


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    vault.forget_cached_keys()


def refused(statement: str) -> str:
    with pytest.raises(DatabaseError) as failure, transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    return str(failure.value)


@pytest.mark.parametrize("table", ["kernel_auditevent", "kernel_auditcheckpoint"])
def test_raw_update_delete_and_truncate_are_refused(db, table):
    audit.record(action="test.one")
    audit.checkpoint()
    assert "Cannot update or delete" in refused(f"UPDATE {table} SET hash = 'x'")  # noqa: S608
    assert "Cannot update or delete" in refused(f"DELETE FROM {table}")  # noqa: S608
    assert "Cannot truncate" in refused(f"TRUNCATE {table}")
    assert audit.verify().ok


def test_the_orm_cannot_update_or_delete_events_either(db):
    audit.record(action="test.one")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "test.one"


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_append_a_contiguous_correctly_chained_log():
    writers, per_writer = 8, 40
    people = [User.objects.create_user(email=f"w{i}@audit.test") for i in range(writers)]
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(person) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with transaction.atomic():  # each a separate service transaction
                    audit.record(action="test.parallel", actor=person, extra={"i": i})
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    total = writers * per_writer
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    result = audit.verify()
    assert (result.ok, result.count) == (True, total)
    per_actor = {audit.pseudonym(p): 0 for p in people}
    for actor in AuditEvent.objects.values_list("actor", flat=True):
        per_actor[actor] += 1
    assert set(per_actor.values()) == {per_writer}
