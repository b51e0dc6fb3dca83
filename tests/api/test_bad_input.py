"""Bad input gets a 4xx in the error shape, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from mentorhaven.accounts.models import ApiToken
from tests.api.conftest import reauthenticate

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"message", "code", "extra"}


@pytest.fixture
def session(client, personas, login):
    login(personas.cara)
    reauthenticate(client)
    return client


def _assert_error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert set(response.json()) == ERROR_KEYS
    assert b"Traceback" not in response.content


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "",
        "[]",
        "null",
        '"a string"',
        '{"name": 5}',
        '{"name": ["x"]}',
        '{"name": "x", "scope": "admin"}',
        '{"name": "x", "days": "ninety"}',
        '{"name": "x", "days": 1e308}',
        '{"name": "x", "days": 99999999999999999999999999}',
        '{"name": ""}',
        '{"name": "' + "x" * 500 + '"}',
        '{"name": "x\\u0000y"}',
    ],
)
def test_malformed_or_wrongly_typed_json_gets_4xx(session, body):
    response = session.post("/api/v1/tokens", body, content_type="application/json")
    _assert_error(response, 400, 422)
    assert not ApiToken.objects.exists()


def test_wrong_content_type_gets_4xx(session):
    response = session.post("/api/v1/tokens", "name=x", content_type="text/plain")
    _assert_error(response, 400, 415, 422)


def test_huge_body_gets_413(session, settings):
    body = '{"name": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = session.post("/api/v1/tokens", body, content_type="application/json")
    _assert_error(response, 413)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/programs/not-a-uuid",
        "/api/v1/programs/123",
        "/api/v1/programs/not-a-uuid/memberships",
        "/api/v1/programs?limit=0",
        "/api/v1/programs?limit=-1",
        "/api/v1/programs?limit=abc",
        "/api/v1/programs?limit=100000",
        "/api/v1/programs?offset=99999999999999999999999999",
        "/api/v1/programs?offset=-5",
        "/api/v1/nothing-here",
    ],
)
def test_bad_paths_and_parameters_get_4xx(session, path):
    _assert_error(session.get(path), 404, 422)


def test_bad_uuid_on_delete_gets_4xx(personas, bearer):
    client = Client()
    response = client.delete(
        "/api/v1/tokens/%27%3B--",
        **{"HTTP_AUTHORIZATION": bearer(personas.cara, "write")["Authorization"]},
    )
    _assert_error(response, 404, 422)


def test_unsupported_method_gets_405(session):
    response = session.put("/api/v1/me", "{}", content_type="application/json")
    assert response.status_code == 405


def test_validation_errors_do_not_echo_the_submitted_value(session):
    secret_looking = "s3cr3t-value-from-user"
    response = session.post(
        "/api/v1/tokens", {"name": "x", "scope": secret_looking}, content_type="application/json"
    )
    _assert_error(response, 422)
    assert secret_looking not in response.content.decode()


@pytest.mark.parametrize(
    "cookie", ["abc\x00defghijklmnop", "../../etc/passwd", "x" * 5000, "ABCDEFGHIJKLMNOP"]
)
def test_malformed_session_cookie_is_treated_as_signed_out(client, personas, cookie):
    client.cookies["mh-session"] = cookie
    _assert_error(client.get("/api/v1/me"), 401)
    assert client.get("/dashboard/").status_code == 302


def test_real_session_still_works(client, personas, login):
    login(personas.cara)
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\x00",
        "multipart/form-data; boundary=" + "b" * 300,
    ],
)
def test_multipart_upload_without_a_usable_boundary_gets_400(
    client, personas, bearer, content_type
):
    body = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhi\r\n--x--'
    )
    response = client.generic(
        "POST",
        "/api/v1/files",
        body,
        content_type=content_type,
        **_headers(bearer(personas.cara, "write")),
    )
    _assert_error(response, 400)
    assert response.json()["code"] == "bad_multipart"


def _headers(headers: dict) -> dict:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
