"""Checkpoints anchored outside the database: what an insider with the database cannot undo.

The attacks here are the insider review's: delete the newest events together with the newest
checkpoint rows, or rewrite an event and recompute every later hash (dropping the checkpoints
it no longer matches). With the database alone they pass ``verify``; the anchor store catches
them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.audit import anchors, checkpoints, keys
from mentorhaven.kernel.models import AuditCheckpoint
from tests.kernel.audit_helpers import (
    CHECKPOINTS,
    EVENTS,
    make_events,
    pending,
    rewrite_chain_from,
    sql,
)


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    settings.AUDIT_CHECKPOINT_EVERY = 0
    vault.forget_cached_keys()
    anchors._retry_at.clear()


@pytest.fixture
def people(db):
    return [User.objects.create_user(email=f"a{i}@anchor.test") for i in range(3)]


def store_path():
    return anchors.directory() / anchors.FILE_NAME


def test_every_checkpoint_is_appended_to_a_private_file_outside_the_database(people):
    make_events(people, 3)
    first = audit.checkpoint()
    make_events(people, 2)
    second = audit.checkpoint()
    lines = store_path().read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "seq": cp.seq,
            "hash": cp.hash,
            "signed_at": keys.format_time(cp.signed_at),
            "key_id": cp.key_id,
            "signature": cp.signature,
        }
        for cp in (first, second)
    ]
    assert os.stat(store_path()).st_mode & 0o777 == 0o600
    assert os.stat(anchors.directory()).st_mode & 0o777 == 0o700
    assert all(a.signature_valid(keys.key_ring()) for a in anchors.read())


def test_cutting_the_newest_events_and_their_checkpoints_is_caught(people):
    make_events(people, 5)
    audit.checkpoint()
    make_events(people, 5)
    audit.checkpoint()
    sql(f"DELETE FROM {EVENTS} WHERE seq > 6")  # noqa: S608
    sql(f"DELETE FROM {CHECKPOINTS} WHERE seq = 10")  # noqa: S608
    result = audit.verify()
    assert (result.ok, result.bad_seq, result.count) == (False, 7, 6)
    assert "the log ends at 6, before anchored checkpoint 10" in result.reason


def test_without_the_anchor_store_the_same_cut_would_pass(people):
    # Why anchors are needed: the database alone agrees with itself after the cut.
    make_events(people, 5)
    audit.checkpoint()
    make_events(people, 5)
    audit.checkpoint()
    sql(f"DELETE FROM {EVENTS} WHERE seq > 6")  # noqa: S608
    sql(f"DELETE FROM {CHECKPOINTS} WHERE seq = 10")  # noqa: S608
    store_path().unlink()
    assert audit.verify().ok


def test_a_rewritten_chain_whose_checkpoints_were_dropped_is_caught_by_its_anchor(people):
    make_events(people, 5)
    audit.checkpoint()
    make_events(people, 3)
    rewrite_chain_from(3)  # every later hash recomputed...
    sql(f"DELETE FROM {CHECKPOINTS}")  # noqa: S608  (...and the checkpoint it broke removed)
    result = audit.verify()
    assert (result.ok, result.bad_seq) == (False, 5)
    assert "differs from its anchored checkpoint" in result.reason


def test_a_checkpoint_the_anchor_store_knows_but_the_database_lost_is_named(people):
    make_events(people, 4)
    audit.checkpoint()
    make_events(people, 2)
    audit.checkpoint()
    sql(f"DELETE FROM {CHECKPOINTS} WHERE seq = 4")  # noqa: S608
    result = audit.verify()
    assert (result.ok, result.bad_seq) == (False, 4)
    assert "in the anchor store but missing from the database" in result.reason


def test_a_tampered_anchor_fails_its_signature(people):
    make_events(people, 3)
    audit.checkpoint()
    line = json.loads(store_path().read_text())
    line["hash"] = "f" * 64
    store_path().write_text(json.dumps(line) + "\n")
    result = audit.verify()
    assert (result.ok, result.bad_seq) == (False, 3)
    assert "anchored checkpoint's signature is not valid" in result.reason


def test_without_anchors_the_database_checkpoints_still_catch_a_cut_behind_them(people):
    make_events(people, 6)
    audit.checkpoint()
    store_path().unlink()
    sql(f"DELETE FROM {EVENTS} WHERE seq > 4")  # noqa: S608
    result = audit.verify()
    assert (result.ok, result.bad_seq) == (False, 5)
    assert "tail truncated" in result.reason


def test_verify_warns_when_the_newest_anchor_is_older_than_the_policy(people, settings, capsys):
    settings.AUDIT_CHECKPOINT_SECONDS = 300
    make_events(people, 2)
    audit.checkpoint()
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        audit.record(action="test.touch")
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        result = audit.verify()
        call_command("audit", "verify")
    assert result.ok
    assert "the newest anchor (event 2) is older than the checkpoint policy" in result.warnings[0]
    assert "WARNING: the newest anchor" in capsys.readouterr().err


def test_a_fresh_event_past_the_newest_anchor_is_no_warning(people, settings):
    settings.AUDIT_CHECKPOINT_SECONDS = 300
    make_events(people, 2)
    audit.checkpoint()
    audit.record(action="test.touch")
    assert audit.verify().warnings == []


def test_a_torn_last_line_is_reported_and_the_next_anchor_starts_on_a_new_line(people):
    make_events(people, 2)
    audit.checkpoint()
    with store_path().open("a") as fh:
        fh.write('{"seq": 9, "hash": "ab')  # a crash in the middle of a write
    make_events(people, 1)
    audit.checkpoint()
    found, unreadable = anchors.read_store()
    assert [a.seq for a in found] == [2, 3] and unreadable == [2]
    result = audit.verify()
    assert result.ok and "unreadable lines (2)" in result.warnings[0]


def test_catch_up_anchors_a_signed_checkpoint_the_file_missed_and_nothing_forged(people):
    make_events(people, 3)
    signed_at = timezone.now()
    kid, signature = keys.sign(3, _hash_at(3), signed_at)
    AuditCheckpoint.objects.create(  # a crash between the row and the file line
        seq=3, hash=_hash_at(3), signed_at=signed_at, key_id=kid, signature=signature
    )
    make_events(people, 1)
    AuditCheckpoint.objects.create(
        seq=4, hash=_hash_at(4), signed_at=signed_at, key_id=kid, signature=signature
    )  # forged: the signature covers another head
    assert anchors.catch_up() == 1
    assert [a.seq for a in anchors.read()] == [3]


def _hash_at(seq: int) -> str:
    from mentorhaven.kernel.models import AuditEvent

    return AuditEvent.objects.get(seq=seq).hash


# --- optional sinks --------------------------------------------------------------------------


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []
    failures = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Webhook.failures:
            _Webhook.failures -= 1
            self.send_response(500)
        else:
            _Webhook.received.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(settings):
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    _Webhook.received, _Webhook.failures = [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.AUDIT_ANCHOR_WEBHOOK = f"http://127.0.0.1:{server.server_port}/anchors"
    yield _Webhook
    server.shutdown()
    server.server_close()


def test_each_anchor_is_posted_to_the_webhook(people, webhook):
    make_events(people, 2)
    cp = audit.checkpoint()
    assert webhook.received == [json.loads(anchors.Anchor.of(cp).line())]


def test_a_failing_webhook_loses_nothing_and_is_retried_later(people, webhook, caplog):
    caplog.set_level(logging.WARNING, logger="mentorhaven.kernel.audit.anchors")
    webhook.failures = 1
    make_events(people, 2)
    first = audit.checkpoint()
    assert webhook.received == []
    assert "audit anchor webhook delivery failed" in caplog.text
    assert [a.seq for a in anchors.read()] == [first.seq]  # the file anchor is kept
    assert not anchors.retry_due()  # not before RETRY_SECONDS
    anchors.deliver(retrying=True)
    assert webhook.received == []
    anchors._retry_at["webhook"] = 0.0  # the retry time has come
    assert anchors.retry_due()
    anchors.deliver(retrying=True)
    assert [a["seq"] for a in webhook.received] == [first.seq]
    make_events(people, 1)
    audit.checkpoint()
    assert [a["seq"] for a in webhook.received] == [2, 3]  # each delivered once, in order


def test_anchors_are_mailed_to_the_auditor_and_a_failed_mail_is_sent_later(
    people, settings, monkeypatch
):
    settings.AUDIT_ANCHOR_EMAIL = "auditor@example.test"
    make_events(people, 2)
    cp = audit.checkpoint()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["auditor@example.test"]
    assert anchors.Anchor.of(cp).line() in mail.outbox[0].body

    def refuse(*args, **kwargs):
        raise OSError("the mail server is down")

    monkeypatch.setattr("django.core.mail.send_mail", refuse)
    make_events(people, 1)
    later = audit.checkpoint()
    assert len(mail.outbox) == 1 and [a.seq for a in anchors.read()] == [2, 3]
    monkeypatch.undo()
    anchors._retry_at["email"] = 0.0
    anchors.deliver(retrying=True)
    assert len(mail.outbox) == 2
    assert anchors.Anchor.of(later).line() in mail.outbox[1].body
    assert anchors.Anchor.of(cp).line() not in mail.outbox[1].body


def test_checkpoints_are_taken_when_the_oldest_unsigned_event_reaches_the_time_limit(
    people, settings
):
    settings.AUDIT_CHECKPOINT_SECONDS = 300
    make_events(people, 2)
    assert checkpoints.checkpoint_if_due() is None  # fresh events: not yet
    later = timezone.now() + timedelta(seconds=301)
    cp = checkpoints.checkpoint_if_due(now=later)
    assert cp is not None and cp.seq == 2
    assert [a.seq for a in anchors.read()] == [2]
    pending()
    audit.seal()
    assert checkpoints.checkpoint_if_due() is None  # event 3 is fresh
