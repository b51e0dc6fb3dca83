"""The events API: members see their program's events, admins publish, people register and
cancel themselves, the calendar file; strangers get 404 on every path, members who may not
publish get 403, bad input a 4xx in the one error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorhaven.community.models import Registration
from mentorhaven.community.services import registration_create

from .conftest import STARTS, events

pytestmark = pytest.mark.django_db

BODY = {
    "title": "Online panel",
    "format": "online",
    "starts_at": STARTS.isoformat(),
    "ends_at": (STARTS + timedelta(hours=1)).isoformat(),
    "link": "https://meet.example.org/panel",
    "capacity": 1,
}


def test_admin_publishes_and_members_list_without_the_link_until_registered(
    client, personas, bearer
):
    created = client.post(
        "/api/v1/programs/demo-2026/events",
        BODY,
        content_type="application/json",
        headers=bearer(personas.coordinator),
    )
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    assert created.json()["link"] == BODY["link"]
    listed = client.get("/api/v1/programs/demo-2026/events", headers=bearer(personas.cara))
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["id"] == event_id and item["title"] == "Online panel" and item["link"] is None
    registered = client.post(
        f"/api/v1/events/{event_id}/registration",
        {"show_me": True},
        content_type="application/json",
        headers=bearer(personas.cara),
    )
    assert registered.status_code == 201 and registered.json()["status"] == "registered"
    mine = client.get(f"/api/v1/events/{event_id}", headers=bearer(personas.cara)).json()
    assert mine["link"] == BODY["link"] and mine["my_status"] == "registered"
    waiting = client.post(
        f"/api/v1/events/{event_id}/registration",
        {},
        content_type="application/json",
        headers=bearer(personas.dev),
    )
    assert waiting.json()["status"] == "waitlisted"
    gone = client.delete(f"/api/v1/events/{event_id}/registration", headers=bearer(personas.cara))
    assert gone.status_code == 204
    assert Registration.objects.get(user=personas.dev).status == "registered"
    again = client.delete(f"/api/v1/events/{event_id}/registration", headers=bearer(personas.cara))
    assert again.status_code == 409 and again.json()["code"] == "not_registered"


def test_members_may_not_publish_and_strangers_do_not_see_the_program(client, personas, bearer):
    for person, status in ((personas.cara, 403), (personas.outsider, 404), (personas.auditor, 404)):
        answer = client.post(
            "/api/v1/programs/demo-2026/events",
            BODY,
            content_type="application/json",
            headers=bearer(person),
        )
        assert answer.status_code == status, person
        listed = client.get("/api/v1/programs/demo-2026/events", headers=bearer(person))
        assert listed.status_code == (200 if status == 403 else 404)
    assert not events("event.create")


def test_every_event_path_is_404_for_a_stranger(client, personas, bearer, event):
    headers = bearer(personas.outsider)
    base = f"/api/v1/events/{event.public_id}"
    for method, path in (
        ("get", base),
        ("get", f"{base}/ics"),
        ("post", f"{base}/registration"),
        ("delete", f"{base}/registration"),
    ):
        answer = getattr(client, method)(path, headers=headers, content_type="application/json")
        assert answer.status_code == 404, (method, path)
        assert answer.json()["code"] == "not_found"
    assert not Registration.objects.exists()


def test_ics_download(client, personas, bearer, event):
    answer = client.get(f"/api/v1/events/{event.public_id}/ics", headers=bearer(personas.dev))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    assert b"SUMMARY:Spring networking evening" in answer.content


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at": "2027-03-04T10:00:00"},  # no offset: ambiguous
        {"format": "online", "link": "ftp://x"},
        {"capacity": 0},
        {"title": ""},
        {"ends_at": "yesterday"},
    ],
)
def test_bad_input_is_a_clear_4xx(client, personas, bearer, change):
    answer = client.post(
        "/api/v1/programs/demo-2026/events",
        {**BODY, **change},
        content_type="application/json",
        headers=bearer(personas.coordinator),
    )
    assert 400 <= answer.status_code < 500, answer.content
    assert set(answer.json()) == {"message", "code", "extra"}


def test_malformed_body_is_422_not_500(client, personas, bearer, event):
    answer = client.post(
        f"/api/v1/events/{event.public_id}/registration",
        "{not json",
        content_type="application/json",
        headers=bearer(personas.cara),
    )
    assert answer.status_code == 422


def test_listing_costs_the_same_for_many_events(
    client, personas, bearer, django_assert_max_num_queries
):
    from .conftest import make_event

    headers = bearer(personas.cara)
    make_event(personas)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/programs/demo-2026/events", headers=headers)
    for _ in range(8):
        event = make_event(personas)
        registration_create(actor=personas.dev, event=event)
    with django_assert_max_num_queries(len(few.captured_queries)):
        answer = client.get("/api/v1/programs/demo-2026/events", headers=headers)
    assert len(answer.json()) == 9
