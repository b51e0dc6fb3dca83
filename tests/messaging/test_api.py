"""``/api/v1/relationships/{id}/messages``: participants only, cursor pagination, archive."""

from __future__ import annotations

import pytest
from django.test import Client

from mentorhaven.kernel.errors import NotFound
from mentorhaven.mentoring.services import relationship_end, relationship_propose
from mentorhaven.messaging import services
from mentorhaven.messaging.access import access_relationship_conversation

pytestmark = pytest.mark.django_db


def url(relationship) -> str:
    return f"/api/v1/relationships/{relationship.public_id}/messages"


@pytest.fixture
def api(bearer):
    def call(user, method, path, data=None, scope="write"):
        client = Client()
        kwargs = {"headers": bearer(user, scope)}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(client, method)(path, **kwargs)

    return call


def test_participants_send_and_read_messages(pair, personas, api):
    sent = api(personas.cara, "post", url(pair), {"body": "Hello mentor"})
    assert sent.status_code == 201, sent.content
    item = sent.json()
    assert set(item) == {"id", "seq", "author", "body", "created_at", "edited", "deleted"}
    assert item["author"] == {
        "id": str(personas.cara.public_id),
        "display_name": personas.cara.name,
    }
    page = api(personas.ana, "get", url(pair)).json()
    assert [i["body"] for i in page["items"]] == ["Hello mentor"]
    assert page["next_after"] == 1 and page["prev_before"] is None


@pytest.mark.parametrize("who", ["ben", "dev", "coordinator", "org_admin", "auditor", "outsider"])
def test_cross_relationship_reads_and_writes_get_404(pair, other_pair, personas, api, who):
    api(personas.cara, "post", url(pair), {"body": "private"})
    viewer = getattr(personas, who)
    for method, data in (("get", None), ("post", {"body": "intrusion"})):
        response = api(viewer, method, url(pair), data)
        assert response.status_code == 404, (who, method)
        assert response.json()["code"] == "not_found"
        assert "private" not in response.content.decode()
    message_id = pair.conversation.messages.get().public_id
    for method in ("patch", "delete"):
        response = api(viewer, method, f"{url(pair)}/{message_id}", {"body": "x"})
        assert response.status_code == 404


def test_message_of_another_relationship_is_404_under_this_one(pair, other_pair, personas, api):
    mine = api(personas.cara, "post", url(pair), {"body": "mine"}).json()
    # The right author, the wrong relationship in the path.
    response = api(personas.cara, "patch", f"{url(other_pair)}/{mine['id']}", {"body": "x"})
    assert response.status_code == 404


def test_cursor_pagination_forwards_and_backwards(pair, personas, api):
    for i in range(1, 8):
        api(personas.cara, "post", url(pair), {"body": f"m{i}"})
    newest = api(personas.ana, "get", url(pair) + "?limit=3").json()
    assert [i["body"] for i in newest["items"]] == ["m5", "m6", "m7"]
    older = api(personas.ana, "get", url(pair) + f"?limit=3&before={newest['prev_before']}").json()
    assert [i["body"] for i in older["items"]] == ["m2", "m3", "m4"]
    forward = api(personas.ana, "get", url(pair) + "?after=2&limit=2").json()
    assert [i["body"] for i in forward["items"]] == ["m3", "m4"] and forward["next_after"] == 4
    bad = api(personas.ana, "get", url(pair) + "?after=-1")
    assert bad.status_code == 422


def test_polling_with_the_cursor_returns_each_message_exactly_once(pair, personas, api):
    seen: list[str] = []
    cursor = 0
    for round_ in range(5):
        for i in range(round_):  # messages arrive between polls, from both sides
            author = personas.cara if i % 2 else personas.ana
            api(author, "post", url(pair), {"body": f"r{round_}-{i}"})
        page = api(personas.cara, "get", url(pair) + f"?after={cursor}&limit=2").json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_after"]
    while True:  # drain
        page = api(personas.cara, "get", url(pair) + f"?after={cursor}&limit=2").json()
        if not page["items"]:
            break
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_after"]
    stored = list(pair.conversation.messages.order_by("seq").values_list("public_id", flat=True))
    assert seen == [str(s) for s in stored] and len(seen) == 10


def test_edit_and_delete_own_message(pair, personas, api):
    item = api(personas.cara, "post", url(pair), {"body": "typo"}).json()
    edited = api(personas.cara, "patch", f"{url(pair)}/{item['id']}", {"body": "fixed"})
    assert edited.json()["body"] == "fixed" and edited.json()["edited"]
    assert api(personas.ana, "patch", f"{url(pair)}/{item['id']}", {"body": "x"}).status_code == 403
    gone = api(personas.cara, "delete", f"{url(pair)}/{item['id']}").json()
    assert gone["deleted"] and gone["body"] == ""


def test_read_scope_token_cannot_send(pair, personas, api):
    assert api(personas.cara, "post", url(pair), {"body": "x"}, scope="read").status_code == 403


def test_archive_is_readable_by_both_and_refuses_writes_with_a_reason(pair, personas, api):
    api(personas.cara, "post", url(pair), {"body": "last words"})
    relationship_end(actor=personas.ana, relationship=pair, reason="schedule")
    for person in (personas.cara, personas.ana):
        assert [i["body"] for i in api(person, "get", url(pair)).json()["items"]] == ["last words"]
        refused = api(person, "post", url(pair), {"body": "more"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "conversation_archived"


def test_proposed_relationship_has_no_messages_endpoint(personas, api):
    proposed = relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.dev,
        mentor=personas.ana,
    )
    assert api(personas.dev, "get", url(proposed)).status_code == 404
    assert api(personas.dev, "post", url(proposed), {"body": "hi"}).status_code == 404


def test_existing_conversation_is_404_once_its_relationship_is_not_started(pair, personas, api):
    # The lookup finds the conversation by the relationship's id alone; the viewer and the
    # relationship's status are checked on the row it brings back.
    api(personas.cara, "post", url(pair), {"body": "before"})
    type(pair).objects.filter(pk=pair.pk).update(status=type(pair).Status.DECLINED)
    for method, data in (("get", None), ("post", {"body": "after"})):
        response = api(personas.cara, method, url(pair), data)
        assert response.status_code == 404, method
        assert "before" not in response.content.decode()


def test_inactive_participant_reaches_no_conversation(pair, personas):
    services.conversation_for_relationship(actor=personas.cara, relationship=pair)
    personas.cara.is_active = False
    with pytest.raises(NotFound):
        access_relationship_conversation(personas.cara, pair.public_id)


def test_empty_conversation_reads_as_empty_without_creating_it(pair, personas, api):
    page = api(personas.ana, "get", url(pair)).json()
    assert page["items"] == [] and page["conversation_id"] is None
    services.conversation_for_relationship(actor=personas.ana, relationship=pair)
    assert api(personas.ana, "get", url(pair)).json()["conversation_id"]


def test_messages_endpoints_appear_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/relationships/{relationship_id}/messages"])
