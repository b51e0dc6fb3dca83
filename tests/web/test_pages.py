import pytest

pytestmark = pytest.mark.django_db


def test_home_page_invites_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_dashboard_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_mentee_dashboard_lists_program(client, personas, login):
    login(personas.cara)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert b"Demo 2026" in response.content
    assert b"Other Program" not in response.content


def test_personal_pages_are_not_cached(client, personas, login):
    login(personas.cara)
    response = client.get("/dashboard/")
    assert "no-store" in response["Cache-Control"]


def test_mentor_signs_in_with_password_and_totp(client, personas, login):
    login(personas.ana)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert b"Ana Mentor" in response.content
