"""A mail server that is down must not break signing in."""

import socket

import pytest
from django.test import override_settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sign_in_succeeds_when_the_mail_server_is_down(
    client, personas, caplog, django_capture_on_commit_callbacks
):
    down = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    with override_settings(MAILERS=down), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"login": personas.cara.email, "password": PASSWORD}
        )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert "new_sign_in" in caplog.text
    assert personas.cara.email not in caplog.text
