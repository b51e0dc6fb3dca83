"""Headers the web middleware adds, and methods it refuses."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_trace_is_refused(client, personas, login):
    login(personas.cara)
    response = client.generic("TRACE", "/dashboard/")
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]


def test_signing_out_clears_site_data(client, personas, login):
    login(personas.cara)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/dashboard/").status_code == 302


def test_ordinary_pages_do_not_clear_site_data(client, personas, login):
    login(personas.cara)
    assert "Clear-Site-Data" not in client.get("/dashboard/")


def test_personal_pages_say_no_store_and_static_files_do_not(client, personas, login):
    login(personas.cara)
    for path in ("/dashboard/", "/privacy/", "/accounts/security/"):
        assert "no-store" in client.get(path)["Cache-Control"], path
    static = client.get("/static/mentorhaven/mentorhaven.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


def test_permissions_policy_denies_powerful_features(client, db):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in policy
