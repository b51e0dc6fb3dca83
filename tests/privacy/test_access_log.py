"""'Who accessed my data': a person sees every audit event about them, and only those."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.kernel import audit, vault

pytestmark = pytest.mark.django_db

API = "/api/v1/me/access-log"
PAGE = "/privacy/access-log"


@pytest.fixture(autouse=True)
def _fresh_vault_cache():
    # Rows roll back between tests but the vault's key cache does not, and SQLite reuses ids.
    vault.forget_cached_keys()
    yield
    vault.forget_cached_keys()


def mentor_reads(mentor, mentee, purpose="prepare the next session"):
    [event] = audit.record_access(
        viewer=mentor,
        subject=mentee,
        category="personal",
        target=("mentoring.note", uuid.uuid4()),
        purpose=purpose,
        actor_role="mentor",
    )
    return event


def test_the_page_requires_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_api_requires_authentication(client):
    assert client.get(API).status_code == 401


def test_a_mentee_sees_who_read_her_data_with_role_kind_of_data_and_why(client, personas, login):
    mentor_reads(personas.ana, personas.cara)
    audit.record(
        action="relationship.idle_warn",
        subject=personas.cara,
        purpose="apply the retention rules",
    )
    login(personas.cara)

    html = client.get(PAGE).content.decode()

    assert "Ana Mentor" in html and "(Mentor)" in html
    assert "Personal" in html and "prepare the next session" in html
    assert "Ana Mentor viewed your data" in html
    assert "MentorHaven system reminded you of an idle mentoring relationship" in html
    assert "MentorHaven system" in html and "apply the retention rules" in html


def test_the_api_answers_who_what_when_and_why(client, personas, login):
    read = mentor_reads(personas.ana, personas.cara)
    login(personas.cara)

    body = client.get(API).json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["who"] == {"kind": "person", "name": "Ana Mentor", "role": "Mentor"}
    assert (item["category"], item["category_label"]) == ("personal", "Personal")
    assert item["purpose"] == "prepare the next session"
    assert item["action"] == "data.read"
    assert item["count"] == 1
    assert item["at"].startswith(read.occurred_at.isoformat()[:19])


def test_a_person_never_sees_events_about_someone_else(client, personas, login):
    mentor_reads(personas.ana, personas.dev, purpose="about dev only")
    mentor_reads(personas.ben, personas.cara, purpose="about cara")
    login(personas.cara)

    assert "about dev only" not in client.get(PAGE).content.decode()
    purposes = [i["purpose"] for i in client.get(API).json()["items"]]
    assert purposes == ["about cara"]


def test_a_token_holder_sees_only_their_own_log(client, personas):
    mentor_reads(personas.ana, personas.dev, purpose="about dev")
    mentor_reads(personas.ana, personas.cara, purpose="about cara")
    _token, secret = api_token_create(
        actor=personas.dev, user=personas.dev, name="reader", scope="read", days=None
    )
    body = client.get(API, headers={"Authorization": f"Bearer {secret}"}).json()
    purposes = [i["purpose"] for i in body["items"]]
    assert "about dev" in purposes and "about cara" not in purposes


def test_own_actions_show_as_you_and_can_be_hidden(client, personas, login):
    audit.record(action="account.profile_update", actor=personas.cara, subject=personas.cara)
    mentor_reads(personas.ana, personas.cara)
    login(personas.cara)

    kinds = [i["who"]["kind"] for i in client.get(API).json()["items"]]
    assert sorted(kinds) == ["person", "you"]
    hidden = client.get(API, {"include_own": "false"}).json()
    assert [i["who"]["kind"] for i in hidden["items"]] == ["person"]
    assert 'data-actor-kind="you"' not in client.get(PAGE, {"own": "hide"}).content.decode()


def test_reading_your_own_data_is_not_recorded(personas):
    assert (
        audit.record_access(
            viewer=personas.cara,
            subject=personas.cara,
            category="personal",
            purpose="read my notes",
        )
        == []
    )


def test_the_log_is_paginated_newest_first(client, personas, login):
    for i in range(5):
        mentor_reads(personas.ana, personas.cara, purpose=f"reason {i}")
    login(personas.cara)

    first = client.get(API, {"limit": 2}).json()
    second = client.get(API, {"limit": 2, "offset": 2}).json()

    assert first["count"] == 5
    assert [i["purpose"] for i in first["items"]] == ["reason 4", "reason 3"]
    assert [i["purpose"] for i in second["items"]] == ["reason 2", "reason 1"]


def test_the_page_paginates(client, personas, login, monkeypatch):
    from mentorhaven.privacy import views

    monkeypatch.setattr(views, "ACCESS_LOG_PAGE_SIZE", 2)
    for i in range(3):
        mentor_reads(personas.ana, personas.cara, purpose=f"reason {i}")
    login(personas.cara)

    page_two = client.get(PAGE, {"page": 2}).content.decode()
    assert "reason 0" in page_two and "reason 2" not in page_two
    assert "Page 2 of 2" in page_two


def test_the_number_of_queries_does_not_grow_with_the_page(client, personas, login):
    login(personas.cara)
    readers = [personas.ana, personas.ben, personas.coordinator]
    for reader in readers:
        mentor_reads(reader, personas.cara)
    client.get(API)  # warm up: the session and the vault's key cache
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    for i in range(20):
        mentor_reads(readers[i % 3], personas.cara, purpose=f"reason {i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(API)
    assert len(response.json()["items"]) == 23
    assert len(many) == len(few)


def test_after_a_reader_is_erased_they_can_no_longer_be_named(client, personas, login):
    mentor_reads(personas.ana, personas.cara)
    vault.shred(personas.ana)
    login(personas.cara)

    item = client.get(API).json()["items"][0]
    assert item["who"]["kind"] == "unknown"
    assert "Ana" not in item["who"]["name"]
    assert audit.verify().ok


def test_after_a_subject_is_erased_nobody_can_find_the_events_about_them(client, personas, login):
    mentor_reads(personas.ana, personas.cara)
    vault.shred(personas.cara)
    mentor_reads(personas.ben, personas.dev)  # other people's events still show to them
    login(personas.cara)
    assert client.get(API).json() == {"items": [], "count": 0}
    assert audit.verify().ok
