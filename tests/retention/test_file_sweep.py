"""The retention sweep removes the files of a relationship whose period is over: the sealed blob
from the disk and the row (with its share links), never a file a legal hold covers or one of a
relationship still in its period; a run killed half-way leaves no blob that no row points at."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from mentorhaven.files.models import ShareLink, StoredFile
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.mentoring.services import relationship_end
from mentorhaven.retention import services
from mentorhaven.retention.sweepers import files as files_sweeper
from tests.mentoring.conftest import make_active

PAST = timedelta(days=24 * 30 + 1)
SECRET_FILE = b"Cara's plan to leave her job, shared with her mentor only.\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def _upload(actor, relationship, name="plan.txt") -> StoredFile:
    return file_upload(
        actor=actor, fileobj=io.BytesIO(SECRET_FILE), declared_name=name, relationship=relationship
    )


@pytest.fixture
def expired(personas):
    """ana ↔ cara, two files (one with a share link), ended 24 months and a day ago."""
    with time_machine.travel(timezone.now() - PAST - timedelta(days=10)):
        pair = make_active(personas, personas.cara, personas.ana)
        first = _upload(personas.cara, pair)
        second = _upload(personas.ana, pair, "notes.txt")
        share_link_create(actor=personas.cara, file=first, expires_in_days=30)
    with time_machine.travel(timezone.now() - PAST):
        relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    return pair, [first, second]


@pytest.fixture
def current(personas):
    pair = make_active(personas, personas.dev, personas.ben)
    return pair, _upload(personas.dev, pair)


def _blob(media: Path, file: StoredFile) -> Path:
    return media / file.storage_name


def test_files_of_an_expired_relationship_leave_the_disk_and_the_database(expired, current, media):
    pair, files = expired
    kept = current[1]
    assert all(_blob(media, f).exists() for f in [*files, kept])

    result = services.retention_sweep()

    assert result.deleted["files"] == 2
    assert not StoredFile.objects.filter(relationship=pair).exists()
    assert not ShareLink.objects.filter(file__in=[f.pk for f in files]).exists()
    assert not any(_blob(media, f).exists() for f in files)
    assert StoredFile.objects.filter(pk=kept.pk).exists() and _blob(media, kept).exists()
    assert services.retention_sweep().deleted["files"] == 0  # idempotent


def test_a_file_attached_to_a_message_of_an_expired_relationship_goes_too(expired, personas, media):
    from mentorhaven.messaging.models import Message
    from mentorhaven.messaging.services import conversation_for_relationship, message_send

    with time_machine.travel(timezone.now() - PAST - timedelta(days=20)):
        other = make_active(personas, personas.dev, personas.ben)
        chat = conversation_for_relationship(actor=personas.dev, relationship=other)
        message = message_send(actor=personas.dev, conversation=chat, body="see attached")
        attached = _upload(personas.dev, None, "attached.txt")
    StoredFile.objects.filter(pk=attached.pk).update(message_ref=message.public_id)
    with time_machine.travel(timezone.now() - PAST):
        relationship_end(actor=personas.dev, relationship=other, reason="goals_met", completed=True)
    assert Message.objects.filter(pk=message.pk).exists()

    services.retention_sweep()

    assert not StoredFile.objects.filter(pk=attached.pk).exists()
    assert not _blob(media, attached).exists()


def test_a_shorter_program_period_for_files_is_honoured_and_a_longer_one_keeps_them(
    expired, personas, media
):
    _pair, files = expired
    services.retention_policy_set(
        actor=personas.org_admin, organization_id=personas.org.public_id, kind="files", days=900
    )
    assert services.retention_sweep().deleted["files"] == 0
    assert all(_blob(media, f).exists() for f in files)
    services.retention_policy_set(
        actor=personas.org_admin,
        organization_id=personas.org.public_id,
        kind="files",
        days=100,
        program=personas.program,
    )
    assert services.retention_sweep().deleted["files"] == 2
    assert not any(_blob(media, f).exists() for f in files)


@pytest.mark.parametrize("scope", ["relationship", "person"])
def test_a_legal_hold_keeps_the_files_and_their_blobs(expired, personas, media, scope):
    pair, files = expired
    reference = str(pair.public_id) if scope == "relationship" else personas.ana.email
    hold = services.legal_hold_place(
        actor=personas.org_admin,
        organization_id=personas.org.public_id,
        scope=scope,
        reference=reference,
        reason="Employment tribunal claim",
    )
    assert services.retention_sweep().deleted["files"] == 0
    assert all(_blob(media, f).exists() for f in files)
    services.legal_hold_release(actor=personas.org_admin, hold_id=hold.public_id)
    assert services.retention_sweep().deleted["files"] == 2
    assert not any(_blob(media, f).exists() for f in files)


def test_a_run_killed_half_way_leaves_no_blob_without_its_row(expired, media, monkeypatch):
    _pair, files = expired
    real_store = files_sweeper.file_store()

    class DiesAfterFirstBlob:
        def delete(self, name):
            real_store.delete(name)
            raise RuntimeError("killed")

    monkeypatch.setattr(files_sweeper, "file_store", DiesAfterFirstBlob)
    with pytest.raises(RuntimeError):
        services.retention_sweep()
    # The batch rolled back: every row is still there, so whatever blob went is still findable.
    rows = StoredFile.objects.filter(pk__in=[f.pk for f in files])
    assert rows.count() == 2
    names_on_disk = (
        {p.name for p in (media / "vault").iterdir()} if (media / "vault").exists() else set()
    )
    assert {Path(f.storage_name).name for f in rows} >= names_on_disk

    monkeypatch.undo()
    services.retention_sweep()
    assert not StoredFile.objects.filter(pk__in=[f.pk for f in files]).exists()
    assert not any(_blob(media, f).exists() for f in files)


def test_the_page_forecasts_the_files_and_counts_them_k_anonymously(expired, personas, monkeypatch):
    from mentorhaven.retention import selectors

    monkeypatch.setattr(selectors, "DEFAULT_MIN_GROUP_SIZE", 1)
    rows = {
        r.kind: r
        for r in selectors.forecast_for(viewer=personas.org_admin, organization=personas.org)
    }
    assert (rows["files"].count, rows["files"].groups) == (2, 1)
