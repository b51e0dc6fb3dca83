"""Uploading, listing, downloading and deleting files in a relationship's shared space."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from mentorhaven.files.models import StoredFile
from mentorhaven.files.selectors import file_content_for
from mentorhaven.files.services import file_delete, file_upload
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import Erased, PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.services import relationship_end

from .conftest import PLAIN_TEXT, body, upload
from .samples import GPS_IFD, SECRET, jpeg_with_gps

pytestmark = pytest.mark.django_db


def _blob(file_storage, file: StoredFile) -> bytes:
    return (file_storage / file.storage_name).read_bytes()


def test_upload_is_stored_encrypted_and_audited(personas, relationship, file_storage):
    file = upload(personas.cara, relationship)
    blob = _blob(file_storage, file)
    assert PLAIN_TEXT.encode() not in blob
    assert b"product leadership" not in blob
    assert file.size == len(PLAIN_TEXT.encode())
    assert file.mime_type == "text/plain"
    event = AuditEvent.objects.get(action="file.upload")
    assert event.target_id == audit.target_pseudonym(personas.cara, file)
    assert event.subject == audit.pseudonym(personas.cara)
    assert "resume" not in str(event.extra)


def test_file_name_is_sanitized_and_encrypted_in_the_database(personas, relationship):
    file = upload(personas.cara, relationship, name="../../etc/Cara résumé?.txt")
    stored = StoredFile.objects.get(pk=file.pk)
    assert "/" not in stored.filename and ".." not in stored.filename
    raw = StoredFile.objects.filter(pk=file.pk).values_list("filename", flat=True)[0]
    assert "sum" not in repr(raw)


def test_exif_and_gps_are_gone_from_the_downloaded_picture(personas, relationship, login):
    file = upload(personas.cara, relationship, jpeg_with_gps(), "holiday.jpg")
    client = login(personas.ana)
    response = client.get(f"/files/{file.public_id}/content/")
    assert response.status_code == 200
    data = body(response)
    picture = Image.open(io.BytesIO(data))
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert not picture.getexif()
    assert SECRET.encode() not in data and b"Exif\x00\x00" not in data


def test_upload_over_the_size_limit_is_refused_and_nothing_is_kept(
    personas, relationship, settings, file_storage
):
    settings.FILES_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationFailed) as refused:
        upload(personas.cara, relationship, b"a" * (1024 * 1024 + 1))
    assert refused.value.code == "file_too_large"
    assert not StoredFile.objects.exists()
    assert not file_storage.exists() or not any(file_storage.rglob("*"))


def test_blob_is_removed_when_the_row_cannot_be_written(
    personas, relationship, file_storage, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        upload(personas.cara, relationship)
    assert not StoredFile.objects.exists()
    assert not [p for p in file_storage.rglob("*") if p.is_file()]


def test_mentor_download_is_an_audited_read_of_the_uploaders_data(personas, cara_file):
    chunks = file_content_for(viewer=personas.ana, file=cara_file)
    assert b"".join(chunks) == PLAIN_TEXT.encode()
    event = AuditEvent.objects.get(action="file.read")
    assert event.subject == audit.pseudonym(personas.cara)
    assert event.actor == audit.pseudonym(personas.ana)
    assert event.target_id == audit.target_pseudonym(personas.cara, cara_file)


def test_download_is_an_attachment_that_no_browser_will_render(personas, cara_file, login):
    client = login(personas.ana)
    response = client.get(f"/files/{cara_file.public_id}/content/")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="resume.txt"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    assert body(response) == PLAIN_TEXT.encode()


def test_participants_list_the_files_and_see_the_upload_form(personas, cara_file, login):
    client = login(personas.ana)
    response = client.get(f"/files/r/{cara_file.relationship.public_id}/")
    assert response.status_code == 200
    assert b"resume.txt" in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_upload_through_the_page(personas, relationship, login):
    client = login(personas.cara)
    upload_file = SimpleUploadedFile("plan.txt", b"My plan for the year\n")
    response = client.post(f"/files/r/{relationship.public_id}/", {"file": upload_file})
    assert response.status_code == 302
    file = StoredFile.objects.get()
    assert file.uploader == personas.cara and file.relationship == relationship


def test_refused_upload_shows_the_reason_on_the_page(personas, relationship, login):
    client = login(personas.cara)
    upload_file = SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>")
    response = client.post(f"/files/r/{relationship.public_id}/", {"file": upload_file})
    assert response.status_code == 422
    assert b"cannot be uploaded" in response.content or b"not allowed" in response.content
    assert not StoredFile.objects.exists()


@pytest.mark.parametrize("who", ["ben", "dev", "outsider", "coordinator", "org_admin"])
def test_people_outside_the_relationship_get_404_on_every_file_page(
    personas, cara_file, login, who
):
    client = login(getattr(personas, who))
    file_id = cara_file.public_id
    for url in (
        f"/files/r/{cara_file.relationship.public_id}/",
        f"/files/{file_id}/",
        f"/files/{file_id}/content/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"/files/{file_id}/delete/", f"/files/{file_id}/share-links/"):
        assert client.post(url).status_code == 404, url
    upload_file = SimpleUploadedFile("x.txt", b"hello\n")
    response = client.post(f"/files/r/{cara_file.relationship.public_id}/", {"file": upload_file})
    assert response.status_code == 404
    assert StoredFile.objects.count() == 1
    assert not AuditEvent.objects.filter(action="data.read").exists()


def test_participant_of_one_relationship_cannot_read_a_file_of_another(
    personas, cara_file, other_file, login
):
    client = login(personas.cara)
    assert client.get(f"/files/{other_file.public_id}/").status_code == 404
    assert client.get(f"/files/{other_file.public_id}/content/").status_code == 404
    assert client.get(f"/files/{cara_file.public_id}/").status_code == 200


def test_mentor_loses_access_to_the_mentees_files_when_the_relationship_ends(
    personas, cara_file, login
):
    relationship_end(actor=personas.cara, relationship=cara_file.relationship, reason="goals_met")
    client = login(personas.ana)
    assert client.get(f"/files/{cara_file.public_id}/content/").status_code == 404
    mentee = login(personas.cara, Client())
    assert mentee.get(f"/files/{cara_file.public_id}/content/").status_code == 200


def test_upload_into_an_ended_relationship_is_refused(personas, relationship):
    relationship_end(actor=personas.cara, relationship=relationship, reason="goals_met")
    with pytest.raises(PermissionDenied):
        upload(personas.cara, relationship)


def test_other_participant_may_read_but_not_delete(personas, cara_file, login):
    client = login(personas.ana)
    assert client.get(f"/files/{cara_file.public_id}/").status_code == 200
    assert client.post(f"/files/{cara_file.public_id}/delete/").status_code == 403
    with pytest.raises(PermissionDenied):
        file_delete(actor=personas.ana, file=cara_file)
    assert StoredFile.objects.filter(pk=cara_file.pk).exists()


def test_deleting_own_file_removes_the_row_and_the_sealed_blob(
    personas, cara_file, file_storage, login, django_capture_on_commit_callbacks
):
    blob = file_storage / cara_file.storage_name
    assert blob.exists()
    client = login(personas.cara)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/files/{cara_file.public_id}/delete/")
    assert response.status_code == 302
    assert not StoredFile.objects.exists()
    assert not blob.exists()
    event = AuditEvent.objects.get(action="file.delete")
    assert event.target_id == audit.target_pseudonym(personas.cara, cara_file)


def test_shredded_uploaders_file_reads_as_erased_with_a_clear_page(personas, cara_file, login):
    vault.shred(personas.cara)
    with pytest.raises(Erased):
        file_content_for(viewer=personas.ana, file=cara_file)
    client = login(personas.ana)
    detail = client.get(f"/files/{cara_file.public_id}/")
    assert detail.status_code == 410
    assert b"This file has been erased" in detail.content
    download = client.get(f"/files/{cara_file.public_id}/content/")
    assert download.status_code == 410
    assert b"This file has been erased" in download.content
    listing = client.get(f"/files/r/{cara_file.relationship.public_id}/")
    assert listing.status_code == 200
    assert b"[erased]" in listing.content


def test_file_without_relationship_is_for_its_uploader_alone(personas, login):
    file = file_upload(
        actor=personas.cara, fileobj=io.BytesIO(b"only mine\n"), declared_name="mine.txt"
    )
    assert login(personas.ana).get(f"/files/{file.public_id}/").status_code == 404
    assert login(personas.cara, Client()).get(f"/files/{file.public_id}/").status_code == 200


def test_list_page_query_count_does_not_grow_with_files(
    personas, relationship, login, django_assert_max_num_queries
):
    client = login(personas.cara)
    upload(personas.cara, relationship)
    with django_assert_max_num_queries(40) as few:
        client.get(f"/files/r/{relationship.public_id}/")
    for index in range(5):
        upload(personas.ana, relationship, name=f"note{index}.txt")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/files/r/{relationship.public_id}/")
