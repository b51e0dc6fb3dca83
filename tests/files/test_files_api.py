"""The files API: upload, read, download, share links — with the same access rules as pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.files.models import ShareLink, StoredFile
from mentorhaven.files.services import token_hash
from mentorhaven.kernel.models import AuditEvent

from .conftest import PLAIN_TEXT, body

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client):
    """``call(user, scope)`` -> a function issuing API requests as ``user`` with a fresh token."""

    def _for(user, scope="write"):
        _token, secret = api_token_create(actor=user, user=user, name="files", scope=scope)
        headers = {"Authorization": f"Bearer {secret}"}

        def request(method, path, **kwargs):
            return getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)

        return request

    return _for


def test_upload_into_a_relationship_and_read_it_back(personas, relationship, call):
    cara = call(personas.cara)
    response = cara(
        "post",
        "/files",
        data={
            "file": SimpleUploadedFile("resume.txt", PLAIN_TEXT.encode()),
            "relationship": str(relationship.public_id),
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "resume.txt"
    assert data["relationship"] == str(relationship.public_id)
    assert data["size"] == len(PLAIN_TEXT.encode())
    ana = call(personas.ana, "read")
    detail = ana("get", f"/files/{data['id']}")
    assert detail.status_code == 200
    assert detail.json()["uploaded_by_me"] is False
    content = ana("get", f"/files/{data['id']}/content")
    assert content.status_code == 200
    assert content["Content-Disposition"].startswith("attachment;")
    assert content["X-Content-Type-Options"] == "nosniff"
    assert content["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert body(content) == PLAIN_TEXT.encode()


def test_refused_upload_answers_with_the_error_shape(personas, relationship, call):
    response = call(personas.cara)(
        "post",
        "/files",
        data={"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" + bytes(200))},
    )
    assert response.status_code == 422
    assert set(response.json()) == {"message", "code", "extra"}
    assert not StoredFile.objects.exists()


@pytest.mark.parametrize("who", ["ben", "dev", "outsider", "coordinator", "org_admin"])
def test_outsiders_get_404_on_every_file_endpoint(personas, cara_file, call, who):
    api = call(getattr(personas, who))
    file_id = cara_file.public_id
    assert api("get", f"/files/{file_id}").status_code == 404
    assert api("get", f"/files/{file_id}/content").status_code == 404
    assert api("delete", f"/files/{file_id}").status_code == 404
    assert (
        api(
            "post", f"/files/{file_id}/share-links", data={}, content_type="application/json"
        ).status_code
        == 404
    )
    upload = api(
        "post",
        "/files",
        data={
            "file": SimpleUploadedFile("x.txt", b"hello\n"),
            "relationship": str(cara_file.relationship.public_id),
        },
    )
    assert upload.status_code == 404
    assert StoredFile.objects.count() == 1
    assert not ShareLink.objects.exists()
    assert not AuditEvent.objects.filter(action="data.read").exists()


def test_cross_relationship_read_is_404(personas, cara_file, other_file, call):
    cara = call(personas.cara, "read")
    assert cara("get", f"/files/{other_file.public_id}").status_code == 404
    assert cara("get", f"/files/{other_file.public_id}/content").status_code == 404


def test_share_link_create_and_revoke(personas, cara_file, call):
    cara = call(personas.cara)
    response = cara(
        "post",
        f"/files/{cara_file.public_id}/share-links",
        data={"password": "blue-heron-lantern", "expires_in_days": 3, "max_downloads": 2},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    token = data["url"].rsplit("/s/", 1)[1]
    link = ShareLink.objects.get(public_id=data["id"])
    assert link.token_hash == token_hash(token) and link.max_downloads == 2
    listed = cara("get", f"/files/{cara_file.public_id}/share-links").json()
    assert listed[0]["url"] is None
    visitor = Client()
    assert visitor.get(f"/s/{token}").status_code == 200
    assert cara("delete", f"/share-links/{data['id']}").status_code == 204
    assert visitor.get(f"/s/{token}").status_code == 404


@pytest.mark.parametrize(
    "payload", [{"expires_in_days": 31}, {"expires_in_days": 0}, {"max_downloads": 0}]
)
def test_share_link_bounds_are_validated(personas, cara_file, call, payload):
    response = call(personas.cara)(
        "post",
        f"/files/{cara_file.public_id}/share-links",
        data=payload,
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not ShareLink.objects.exists()


def test_the_other_participant_cannot_share_or_revoke(personas, cara_file, call):
    ana = call(personas.ana)
    response = ana(
        "post",
        f"/files/{cara_file.public_id}/share-links",
        data={},
        content_type="application/json",
    )
    assert response.status_code == 403
    link_id = call(personas.cara)(
        "post",
        f"/files/{cara_file.public_id}/share-links",
        data={},
        content_type="application/json",
    ).json()["id"]
    assert ana("delete", f"/share-links/{link_id}").status_code == 404
    assert ShareLink.objects.get().revoked_at is None


def test_read_scope_token_cannot_upload(personas, relationship, call):
    response = call(personas.cara, "read")(
        "post", "/files", data={"file": SimpleUploadedFile("a.txt", b"hello\n")}
    )
    assert response.status_code == 403
    assert not StoredFile.objects.exists()


def test_delete_own_file(personas, cara_file, call):
    assert call(personas.cara)("delete", f"/files/{cara_file.public_id}").status_code == 204
    assert not StoredFile.objects.exists()


def test_erased_file_content_answers_410(personas, cara_file, call):
    from mentorhaven.kernel import vault

    vault.shred(personas.cara)
    ana = call(personas.ana, "read")
    assert ana("get", f"/files/{cara_file.public_id}").json()["erased"] is True
    response = ana("get", f"/files/{cara_file.public_id}/content")
    assert response.status_code == 410
    assert response.json()["code"] == "erased"
