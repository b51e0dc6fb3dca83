"""The retention sweep: deletes what is past its period, keeps what a legal hold covers, is
idempotent and leaves nothing half-deleted when it dies half-way."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from mentorhaven.files.models import ShareLink
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.models import Note
from mentorhaven.messaging.models import Conversation, ConversationMember, Message
from mentorhaven.retention import holds, services
from mentorhaven.retention.models import LegalHold


def _messages(relationship) -> int:
    return Message.objects.filter(conversation__relationship=relationship).count()


def test_expired_messages_and_notes_are_deleted_active_ones_kept(ended, active):
    result = services.retention_sweep()
    assert result.deleted["messages"] == 7 and result.deleted["notes"] == 2
    assert not Conversation.objects.filter(relationship=ended).exists()
    assert not ConversationMember.objects.filter(conversation__relationship=ended).exists()
    assert not Note.objects.filter(relationship=ended).exists()
    assert _messages(active) == 1


def test_a_relationship_within_its_period_is_kept(ended, personas):
    services.retention_policy_set(
        actor=personas.org_admin, organization_id=personas.org.public_id, kind="messages", days=900
    )
    result = services.retention_sweep()
    assert result.deleted["messages"] == 0 and _messages(ended) == 7
    assert result.deleted["notes"] == 2  # notes still follow the default


def test_program_policy_wins_over_the_organization(ended, personas):
    admin, org = personas.org_admin, personas.org.public_id
    services.retention_policy_set(actor=admin, organization_id=org, kind="messages", days=900)
    services.retention_policy_set(
        actor=admin, organization_id=org, kind="messages", days=100, program=personas.program
    )
    assert services.retention_sweep().deleted["messages"] == 7


def test_sweep_is_idempotent_with_one_audit_summary_per_run(ended):
    services.retention_sweep()
    again = services.retention_sweep()
    assert again.deleted["messages"] == 0 and again.deleted["notes"] == 0
    runs = list(AuditEvent.objects.filter(action="retention.sweep").order_by("pk"))
    assert [(e.extra["messages"], e.extra["notes"], e.extra["complete"]) for e in runs] == [
        (7, 2, True),
        (0, 0, True),
    ]
    assert not AuditEvent.objects.filter(action="conversation.expire").exists()


def test_dry_run_deletes_and_records_nothing(ended):
    out = io.StringIO()
    call_command("retention", "sweep", "--dry-run", stdout=out)
    assert "messages: would delete 7" in out.getvalue()
    assert _messages(ended) == 7
    assert not AuditEvent.objects.filter(action="retention.sweep").exists()


@pytest.mark.parametrize("scope", ["person", "relationship"])
def test_legal_hold_pauses_retention_until_released(ended, personas, scope):
    reference = personas.cara.email if scope == "person" else str(ended.public_id)
    hold = services.legal_hold_place(
        actor=personas.org_admin,
        organization_id=personas.org.public_id,
        scope=scope,
        reference=reference,
        reason="Employment tribunal claim",
    )
    assert holds.is_on_hold(relationship=ended)
    assert holds.is_on_hold(user=personas.cara) and holds.is_on_hold(user=personas.ana)
    assert not holds.is_on_hold(user=personas.dev)
    result = services.retention_sweep()
    assert result.deleted["messages"] == 0 and _messages(ended) == 7
    assert Note.objects.filter(relationship=ended).count() == 2
    services.legal_hold_release(actor=personas.org_admin, hold_id=hold.public_id)
    assert not holds.is_on_hold(relationship=ended)
    assert services.retention_sweep().deleted["messages"] == 7
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"legal_hold.place", "legal_hold.release"} <= actions


def test_a_crash_half_way_leaves_no_half_deleted_record(ended):
    """Killed inside the third batch — its DELETE has run, its transaction has not committed —
    the first two batches are gone whole, the third is rolled back whole, and a second run
    finishes the job."""
    deletes: list[str] = []

    def killed_after_the_third_delete(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('DELETE FROM "messaging_message"'):
            deletes.append(sql)
            if len(deletes) == 3:
                raise KeyboardInterrupt("killed")
        return result

    with (
        connection.execute_wrapper(killed_after_the_third_delete),
        pytest.raises(KeyboardInterrupt),
    ):
        services.retention_sweep(batch_size=2)
    left = list(Message.objects.filter(conversation__relationship=ended).order_by("seq"))
    assert [m.body for m in left] == ["message 4", "message 5", "message 6"]
    assert Conversation.objects.filter(relationship=ended).exists()
    summary = AuditEvent.objects.get(action="retention.sweep")
    assert summary.extra["messages"] == 4 and summary.extra["complete"] is False
    result = services.retention_sweep(batch_size=2)
    assert result.deleted["messages"] == 3 and result.complete
    assert not Conversation.objects.filter(relationship=ended).exists()


def test_expired_share_links_are_deleted(ended, personas):
    from mentorhaven.files.models import StoredFile

    stored = StoredFile.objects.create(
        uploader=personas.cara,
        filename="cv.pdf",
        mime_type="application/pdf",
        size=1,
        storage_name="retention-test-blob",
    )
    now = timezone.now()
    old = ShareLink.objects.create(
        file=stored,
        created_by=personas.cara,
        token_hash="a" * 64,
        created_at=now - timedelta(days=3),
        expires_at=now - timedelta(days=1),
    )
    live = ShareLink.objects.create(
        file=stored,
        created_by=personas.cara,
        token_hash="b" * 64,
        expires_at=now + timedelta(days=1),
    )
    assert services.retention_sweep().deleted["share_links"] == 1
    assert not ShareLink.objects.filter(pk=old.pk).exists()
    assert ShareLink.objects.filter(pk=live.pk).exists()


def test_hold_reason_is_encrypted_and_a_target_outside_the_org_is_refused(ended, personas):
    from django.db import connection

    from mentorhaven.kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.legal_hold_place(
            actor=personas.org_admin,
            organization_id=personas.org.public_id,
            scope="person",
            reference=personas.outsider.email,
            reason="Claim",
        )
    hold = services.legal_hold_place(
        actor=personas.org_admin,
        organization_id=personas.org.public_id,
        scope="person",
        reference=personas.dev.email,
        reason="Tribunal claim 42",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM retention_legalhold WHERE id = %s", [hold.pk])
        raw = bytes(cursor.fetchone()[0])
    assert b"Tribunal" not in raw
    assert LegalHold.objects.get(pk=hold.pk).reason == "Tribunal claim 42"
