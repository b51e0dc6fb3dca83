"""'What we keep about you and why' and its API twin are generated from the inventory."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from mentorhaven.kernel import inventory, vault
from mentorhaven.kernel.inventory import Category, Erasure, Field
from mentorhaven.programs.models import Membership, Program
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _category(payload: dict, name: str) -> dict:
    return next(c for c in payload["categories"] if c["category"] == name)


@pytest.fixture
def extra_declaration(monkeypatch):
    """A new declaration, as a future app would add one: the page and API must pick it up."""
    registry = dict(inventory.REGISTRY)
    monkeypatch.setattr(inventory, "REGISTRY", registry)
    registry.pop("programs.orgmembership")
    inventory.declare(
        "programs.OrgMembership",
        [
            Field(
                "user",
                Category.PERSONAL,
                label="Your favourite colour",
                purpose="Remembering your favourite colour",
                basis="consent",
                visible_to=("self",),
                retention="A fortnight",
                erasure=Erasure.SHRED,
                subject=True,
            ),
        ],
        record="Colour preferences",
    )


def test_data_map_page_requires_sign_in(client):
    response = client.get("/privacy/data")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_data_map_api_requires_authentication(client):
    response = client.get("/api/v1/me/data-map")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_data_map_page_lists_every_declared_purpose_and_my_counts(client, personas, login):
    login(personas.cara)
    response = client.get("/privacy/data")
    assert response.status_code == 200
    page = response.content.decode()
    for declaration in inventory.REGISTRY.values():
        for f in declaration.fields.values():
            assert escape(f.purpose) in page, f.purpose
    counts = inventory.records_about(personas.cara)
    for category in Category:
        assert f'data-category-count="{category}">{counts[category]}<' in page


def test_data_map_api_gives_categories_fields_and_my_record_counts(client, personas, login):
    login(personas.cara)
    response = client.get("/api/v1/me/data-map")
    assert response.status_code == 200
    payload = response.json()
    assert [c["category"] for c in payload["categories"]] == [str(c) for c in Category]
    program = _category(payload, "program")
    membership = next(
        f
        for f in program["fields"]
        if (f["record"], f["label"]) == ("Your programs", "Whose membership it is")
    )
    assert membership["records"] == Membership.objects.filter(user=personas.cara).count()
    assert membership["retention"] and membership["purpose"] and membership["basis"] == "contract"
    assert membership["erasure"] == "delete"
    assert "self" in membership["visible_to"]
    assert program["records"] == inventory.records_about(personas.cara)[Category.PROGRAM]


def test_counts_are_about_the_caller_only(client, personas, login):
    login(personas.cara)
    before = _category(client.get("/api/v1/me/data-map").json(), "program")["records"]
    Membership.objects.create(
        program=personas.other_program, user=personas.outsider, role=Membership.Role.MENTOR
    )
    assert _category(client.get("/api/v1/me/data-map").json(), "program")["records"] == before
    extra = Program.objects.create(organization=personas.org, name="More", slug="more")
    Membership.objects.create(program=extra, user=personas.cara, role=Membership.Role.MENTEE)
    after = _category(client.get("/api/v1/me/data-map").json(), "program")["records"]
    assert after == before + 1


def test_a_new_declaration_changes_the_page_and_the_api(client, personas, login, extra_declaration):
    login(personas.cara)
    payload = client.get("/api/v1/me/data-map").json()
    personal = _category(payload, "personal")
    added = [f for f in personal["fields"] if f["record"] == "Colour preferences"]
    assert [f["purpose"] for f in added] == ["Remembering your favourite colour"]
    assert added[0]["records"] == 1  # cara's one organization membership
    assert all(f["record"] != "Colour preferences" for f in _category(payload, "program")["fields"])
    page = client.get("/privacy/data").content.decode()
    assert "Remembering your favourite colour" in page
    assert "A fortnight" in page


def test_the_api_exposes_no_values_only_descriptions(client, personas, login):
    login(personas.cara)
    body = client.get("/api/v1/me/data-map").content.decode()
    assert personas.cara.email not in body
    assert personas.cara.display_name not in body


def test_privacy_home_links_the_data_map_and_access_log(client, personas, login):
    login(personas.cara)
    page = client.get("/privacy/").content.decode()
    assert 'href="/privacy/data"' in page
    assert 'href="/privacy/access-log"' in page


def test_data_map_queries_do_not_grow_with_a_persons_records(
    client, personas, login, django_assert_max_num_queries
):
    login(personas.cara)
    MembershipFactory.create_batch(5, program__organization=personas.org, user=personas.cara)
    # One count per declared model, plus the session, user and MFA look-ups of the request.
    with django_assert_max_num_queries(len(inventory.REGISTRY) + 12):
        assert client.get("/api/v1/me/data-map").status_code == 200


# --- plain language, and counts that match the data ------------------------------------------


def _column_words() -> set[str]:
    """Every table, model label and multi-word column name the inventory knows."""
    words: set[str] = set()
    for declaration in inventory.REGISTRY.values():
        model = declaration.model_class()
        words |= {declaration.label, model._meta.db_table}
        words |= {name for name in declaration.fields if "_" in name}
        words |= {f.column for f in model._meta.concrete_fields if "_" in f.column}
    return words


def test_the_page_and_the_api_name_records_in_plain_words_never_columns(client, personas, login):
    login(personas.cara)
    page = client.get("/privacy/data").content.decode()
    body = client.get("/api/v1/me/data-map").content.decode()
    payload = client.get("/api/v1/me/data-map").json()
    for word in _column_words():
        assert word not in page, word
        assert f'"{word}"' not in body, word
    for category in payload["categories"]:
        for entry in category["fields"]:
            assert set(entry) >= {"record", "label", "purpose"}
            assert not {"model", "field"} & set(entry)
            assert entry["record"] and entry["label"]
            assert escape(entry["label"]) in page and escape(entry["record"]) in page


def _counts(client) -> dict[str, int]:
    payload = client.get("/api/v1/me/data-map").json()
    return {c["category"]: c["records"] for c in payload["categories"]}


def _entry(client, record: str, label: str) -> int:
    payload = client.get("/api/v1/me/data-map").json()
    return next(
        e["records"]
        for c in payload["categories"]
        for e in c["fields"]
        if (e["record"], e["label"]) == (record, label)
    )


def test_counts_per_category_match_the_records_created_for_the_person(client, personas, login):
    from datetime import timedelta

    from django.utils import timezone

    from mentorhaven.accounts.models import User
    from mentorhaven.matching.models import Profile
    from mentorhaven.mentoring.models import Feedback, Goal, Meeting, Milestone, Note, Relationship

    erin = User.objects.create_user(email="erin@demo.test", password="x" * 20, display_name="Erin")
    Membership.objects.create(program=personas.program, user=erin, role=Membership.Role.MENTEE)
    login(erin)
    vault.data_key(erin)  # her key exists before we start counting
    before = _counts(client)
    ana_before = inventory.records_about(personas.ana)

    now = timezone.now()
    relationship = Relationship.objects.create(
        program=personas.program, mentee=erin, mentor=personas.ana, status="active"
    )
    described = Goal.objects.create(
        relationship=relationship, owner=erin, title="Speak up", description="In meetings"
    )
    Goal.objects.create(relationship=relationship, owner=erin, title="Read more")
    Milestone.objects.create(goal=described, owner=erin, title="One question a week")
    Note.objects.create(relationship=relationship, author=erin, body="Went well")
    slot = (now + timedelta(days=1)).isoformat()
    mine = Meeting.objects.create(relationship=relationship, proposed_by=erin, slots=[slot])
    theirs = Meeting.objects.create(
        relationship=relationship, proposed_by=personas.ana, slots=[slot]
    )
    Feedback.objects.create(meeting=mine, author=erin, rating=4)
    Feedback.objects.create(meeting=theirs, author=erin, rating=5, comment="Helpful")
    Profile.objects.create(program=personas.program, user=erin, role="mentee", goals="Confidence")

    after = _counts(client)
    assert {k: after[k] - before[k] for k in after} == {
        # two goals, a milestone, a feedback comment, the profile's goals
        "personal": 5,
        # the relationship, two goals (owner), the milestone, the note (author), her meeting,
        # two feedbacks (author), the profile
        "program": 9,
        # the note's text, her meeting's times
        "platform": 2,
        # two ratings
        "analytical": 2,
        # the profile has no headline
        "professional": 0,
    }
    assert _entry(client, "Your goals", "The goal's title") == 2
    assert _entry(client, "Your goals", "What the goal is about") == 1
    assert _entry(client, "Feedback you gave after meetings", "Your comment") == 1
    assert _entry(client, "Feedback you gave after meetings", "Your rating of the meeting") == 2
    assert _entry(client, "Meetings you proposed", "Where you meet") == 0
    # The relationship is about its mentor too; so is the meeting she proposed.
    assert inventory.records_about(personas.ana)[Category.PROGRAM] == (
        ana_before[Category.PROGRAM] + 2
    )
