"""A refused form gets our own page: no inline style (CSP), no internals, nothing changed."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_csrf_failure_page_is_ours_and_has_no_inline_style(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.cara)
    response = client.post("/accounts/profile/", {"display_name": "Changed"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Form expired" in body
    assert "<style" not in body and "style=" not in body
    personas.cara.refresh_from_db()
    assert personas.cara.display_name == "Cara Mentee"
