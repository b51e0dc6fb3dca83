"""Data exports: what the archive holds, its signed manifest, the job around it (sealed at rest,
built in the background, one-time link, expiry), the API, the page and the operator command."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.inventory import declaration_for
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.models import Note
from mentorhaven.privacy import building, services
from mentorhaven.privacy.export import verify_archive, write_archive
from mentorhaven.privacy.models import ExportJob
from tests.world import PASSWORD, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    vault.forget_cached_keys()
    yield
    vault.forget_cached_keys()


@pytest.fixture
def world():
    built = build_world(participants=4, content=1)
    ExportJob.objects.filter(pk=built.export.pk).delete()  # start without one waiting
    built.export = None
    return built


def _archive(user) -> bytes:
    out = io.BytesIO()
    write_archive(user, out)
    return out.getvalue()


def _records(data: bytes, key: str) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read(f"data/{key}.json"))["records"]


def _rewrite(data: bytes, change) -> bytes:
    """A copy of the archive with ``change(name, content) -> content or None`` applied."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = change(name, source.read(name))
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


# --- what the archive holds ---------------------------------------------------------------------


def test_the_archive_holds_her_writing_and_what_was_shared_with_her_and_nothing_private(world):
    mentee, mentor = world.people["mentee"], world.people["mentor"]
    private = Note.objects.filter(author=mentor, shared=False).first()
    if private is None:  # the world's mentor writes shared notes: add a private one
        from mentorhaven.mentoring.services import note_create

        private = note_create(
            actor=mentor, relationship=world.relationship, shared=False, body="Mentor only"
        )
    data = _archive(mentee)
    texts = [m["text"] for m in _records(data, "messages")]
    assert "Could we meet on Thursday? 0" in texts  # hers
    assert "Thursday works for me. 0" in texts  # her mentor's, in their conversation
    notes = {n["text"] for n in _records(data, "notes")}
    assert {"Good start.", "Ask about workload."} <= notes
    assert "Mentor only" not in notes
    goals = _records(data, "goals")
    assert any(g["title"] == "Goal 0: lead a project" for g in goals)
    assert any(a["question"] for a in _records(data, "answers"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [row] = [f for f in _records(data, "files") if f["name"] == "plan-0.txt"]
        assert archive.read(row["in_this_archive"]) == b"My draft plan, version 0.\n"
        index = archive.read("index.html").decode()
        assert "Messages of your conversations" in index
        assert "How long we keep it" in index and "Who can see it" in index
        assert "Thursday works for me. 0" in archive.read("html/messages.html").decode()


def test_each_section_carries_purpose_recipients_retention_and_source_from_the_inventory(world):
    data = _archive(world.people["mentee"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        about = json.loads(archive.read("data/notes.json"))["about"]
    assert about["records"] == ["Your session notes"]  # the inventory's record name
    assert any("encrypted under your key" in p for p in about["purpose"])
    assert "your mentor" in about["recipients"]
    declared = declaration_for("mentoring.Note")
    assert declared is not None
    assert about["retention"] == sorted({f.retention for f in declared.fields.values()})
    assert "24 months after the relationship ends" in about["retention"][0]
    assert about["source"]


def test_the_other_participants_writing_in_an_export_is_audited_as_read(world):
    mentee, mentor = world.people["mentee"], world.people["mentor"]
    _archive(mentee)
    about_mentor = AuditEvent.objects.filter(
        action="export.read", subject=audit.pseudonym(mentor), actor=audit.pseudonym(mentee)
    )
    assert {e.category for e in about_mentor} >= {"platform", "personal"}
    # Nothing is recorded about her reading her own writing.
    assert not AuditEvent.objects.filter(action="export.read", subject=audit.pseudonym(mentee))


def test_a_mentor_gets_no_content_of_an_ended_relationship_but_his_own_writing(world):
    from mentorhaven.mentoring.services import relationship_end

    mentor = world.people["mentor"]
    relationship_end(actor=mentor, relationship=world.relationship, reason="goals_met")
    data = _archive(mentor)
    notes = _records(data, "notes")
    assert notes and all(n["author"] == "you" for n in notes)  # her shared notes: gone
    assert not [f for f in _records(data, "files") if f["uploaded_by"] != "you"]
    # The conversation stays readable to both after the end (the archive choice).
    assert "Could we meet on Thursday? 0" in {m["text"] for m in _records(data, "messages")}


# --- the signed manifest ------------------------------------------------------------------------


def test_an_untouched_archive_verifies(world):
    result = verify_archive(io.BytesIO(_archive(world.people["mentee"])))
    assert result.ok, result.problems
    assert result.files > 10


@pytest.mark.parametrize(
    ("attack", "problem"),
    [
        (lambda n, c: c.replace(b"Thursday", b"Friday") if n == "data/messages.json" else c,
         "data/messages.json: changed"),
        (lambda n, c: None if n == "data/notes.json" else c, "data/notes.json: missing"),
        (lambda n, c: c.replace(b'"size": ', b'"size": 1') if n == "manifest.json" else c,
         "the manifest's signature is not valid"),
    ],
    ids=["content changed", "file removed", "manifest changed"],
)  # fmt: skip
def test_a_changed_archive_fails_verification(world, attack, problem):
    tampered = _rewrite(_archive(world.people["mentee"]), attack)
    result = verify_archive(io.BytesIO(tampered))
    assert not result.ok
    assert problem in result.problems


def test_an_added_file_fails_verification(world):
    data = _archive(world.people["mentee"])
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("data/extra.json", "{}")
    result = verify_archive(io.BytesIO(out.getvalue()))
    assert "data/extra.json: not in the manifest" in result.problems


def test_a_manifest_resigned_with_another_key_fails(world, tmp_path, settings):
    data = _archive(world.people["mentee"])
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "other.key")  # an attacker's own key
    forged = _archive(world.people["mentee"])
    settings.AUDIT_SIGNING_KEY_FILE = settings.AUDIT_SIGNING_KEY_FILE.replace("other", "gone")
    assert verify_archive(io.BytesIO(data)).ok is False  # not our key any more either
    assert "the manifest's signature is not valid" in verify_archive(io.BytesIO(forged)).problems


# --- the job: background build, sealed at rest, one-time link, expiry ---------------------------


def _requested(user, django_capture_on_commit_callbacks) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(actor=user)
    job.refresh_from_db()
    return job


def test_a_request_is_built_in_the_background_and_stored_sealed(
    world, django_capture_on_commit_callbacks, settings, tmp_path
):
    mentee = world.people["mentee"]
    job = _requested(mentee, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.READY and job.progress == 100
    assert job.expires_at == job.finished_at + timedelta(days=7)
    stored = (tmp_path / "media" / job.storage_name).read_bytes()
    assert stored[:4] == b"MHF\x01" and b"PK\x03\x04" not in stored[:64]
    assert b"Thursday" not in stored
    actions = {e.action for e in AuditEvent.objects.filter(subject=audit.pseudonym(mentee))}
    assert {"export.request", "export.build"} <= actions


def test_asking_twice_while_one_is_built_returns_the_same_job(world):
    mentee = world.people["mentee"]
    first = services.export_request(actor=mentee)  # its task runs after the commit
    assert services.export_request(actor=mentee).pk == first.pk


def test_the_download_link_works_once_and_is_stored_as_a_hash(
    world, client, django_capture_on_commit_callbacks
):
    mentee = world.people["mentee"]
    job = _requested(mentee, django_capture_on_commit_callbacks)
    link = services.export_link_create(actor=mentee, job=job)
    job.refresh_from_db()
    assert link.token not in job.link_token_hash and len(job.link_token_hash) == 64
    url = f"/privacy/exports/file/{link.token}"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    assert verify_archive(io.BytesIO(data)).ok
    assert client.get(url).status_code == 404  # used up
    assert AuditEvent.objects.filter(action="export.download", subject=audit.pseudonym(mentee))


def test_the_link_expires_after_fifteen_minutes(world, client, django_capture_on_commit_callbacks):
    mentee = world.people["mentee"]
    job = _requested(mentee, django_capture_on_commit_callbacks)
    link = services.export_link_create(actor=mentee, job=job)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert client.get(f"/privacy/exports/file/{link.token}").status_code == 404


def test_exports_expire_after_seven_days_and_the_archive_is_deleted(
    world, django_capture_on_commit_callbacks, tmp_path
):
    mentee = world.people["mentee"]
    job = _requested(mentee, django_capture_on_commit_callbacks)
    blob = tmp_path / "media" / job.storage_name
    assert services.expire_exports() == 0 and blob.exists()
    with (
        time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.expire_exports() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not blob.exists()
    assert AuditEvent.objects.filter(action="export.expire", subject=audit.pseudonym(mentee))
    assert services.expire_exports() == 0  # idempotent


def test_another_jobs_archive_does_not_decrypt_in_its_place(
    world, django_capture_on_commit_callbacks
):
    mentee = world.people["mentee"]
    first = _requested(mentee, django_capture_on_commit_callbacks)
    second = _requested(mentee, django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=second.pk).update(storage_name=first.storage_name)
    second.refresh_from_db()
    with pytest.raises(vault.VaultError):
        list(
            building.archive_store().open(
                subject=mentee, name=second.storage_name, binding=second.archive_binding()
            )
        )


# --- API, page, command -------------------------------------------------------------------------


def test_the_api_requests_follows_and_links_an_export(
    world, client, django_capture_on_commit_callbacks
):
    mentee, mentor = world.people["mentee"], world.people["mentor"]
    _t, secret = api_token_create(actor=mentee, user=mentee, name="cli", scope="write", days=None)
    headers = {"Authorization": f"Bearer {secret}"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/api/v1/me/export", headers=headers)
    assert answer.status_code == 202
    export_id = answer.json()["id"]
    status = client.get(f"/api/v1/me/exports/{export_id}", headers=headers).json()
    assert status["status"] == "ready" and status["progress"] == 100
    link = client.post(f"/api/v1/me/exports/{export_id}/link", headers=headers)
    assert link.status_code == 201
    assert client.get(link.json()["url"]).status_code == 200
    _t, theirs = api_token_create(actor=mentor, user=mentor, name="cli", scope="write", days=None)
    other = {"Authorization": f"Bearer {theirs}"}
    assert client.get(f"/api/v1/me/exports/{export_id}", headers=other).status_code == 404
    assert client.post(f"/api/v1/me/exports/{export_id}/link", headers=other).status_code == 404


def test_the_privacy_page_offers_the_export_and_shows_its_progress(world, client):
    mentee = world.people["mentee"]
    client.login(email=mentee.email, password=PASSWORD)
    page = client.get("/privacy/")
    assert "Prepare my export" in page.content.decode()
    job = ExportJob.objects.create(user=mentee, status="running", progress=42)
    fragment = client.get(f"/privacy/exports/{job.public_id}").content.decode()
    assert 'value="42"' in fragment and "every 2s" in fragment


def test_the_operator_command_writes_verifies_and_is_audited(world, tmp_path, capsys):
    mentee = world.people["mentee"]
    out = tmp_path / "export.zip"
    call_command("dsar", "export", mentee.email, "--out", str(out))
    assert (out.stat().st_mode & 0o777) == 0o600
    assert AuditEvent.objects.filter(action="export.operator", subject=audit.pseudonym(mentee))
    call_command("dsar", "verify-export", str(out))
    assert "signature valid" in capsys.readouterr().out
    out.write_bytes(_rewrite(out.read_bytes(), lambda n, c: c.replace(b"Thursday", b"Friday")))
    with pytest.raises(CommandError):
        call_command("dsar", "verify-export", str(out))


def test_the_operator_command_refuses_an_unknown_address_and_leaves_no_file(db, tmp_path):
    out = tmp_path / "nobody.zip"
    with pytest.raises(CommandError, match="Nobody has this e-mail address"):
        call_command("dsar", "export", "nobody@example.test", "--out", str(out))
    assert not out.exists()


def test_an_export_whose_builder_died_is_built_again_and_a_running_one_is_left_alone(world):
    """A worker killed mid-build leaves its job "running" for ever: ``exports_resume_stranded``
    (at every worker's start and every 2 minutes) queues it again. On SQLite a build is stranded
    once it has run for STRANDED_AFTER; the PostgreSQL lease is proven by
    tests/operations/test_faults.py with a real SIGKILL."""
    mentee, mentor = world.people["mentee"], world.people["mentor"]
    now = timezone.now()
    stranded = ExportJob.objects.create(
        user=mentee, status=ExportJob.Status.RUNNING, progress=40,
        started_at=now - services.STRANDED_AFTER - timedelta(minutes=1),
    )  # fmt: skip
    running = ExportJob.objects.create(
        user=mentor, status=ExportJob.Status.RUNNING, progress=40, started_at=now
    )
    with _live_builder(running):
        assert services.exports_resume_stranded(now=now) == 1
    stranded.refresh_from_db()
    running.refresh_from_db()
    # Queued again and (tasks run at once in tests) built from the start.
    assert stranded.status == ExportJob.Status.READY and stranded.progress == 100
    assert running.status == ExportJob.Status.RUNNING
    assert AuditEvent.objects.filter(action="export.resume").count() == 1
    with _live_builder(running):
        assert services.exports_resume_stranded(now=now) == 0


@contextlib.contextmanager
def _live_builder(job: ExportJob):
    """A builder at work on ``job``: on PostgreSQL it holds the job's build lease on a
    connection of its own, as a worker's build does (SQLite has no lease: a build counts as
    alive until it has run for STRANDED_AFTER)."""
    if connection.vendor != "postgresql":
        yield
        return
    builder = connections.create_connection("default")
    try:
        with builder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [building.BUILD_LOCK_SPACE, job.pk])
        yield
    finally:
        builder.close()
