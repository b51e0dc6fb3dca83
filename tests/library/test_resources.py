"""The library: admins add, change and archive; participants see what is for their role;
search stays within what the viewer may see; openings are counted in aggregate only and reach
admins through the small-group rule; a person's resources are in their export and go with
their erasure."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage

from mentorhaven.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from mentorhaven.library import selectors
from mentorhaven.library.access import access_resource
from mentorhaven.library.export import resource_blobs, resource_rows
from mentorhaven.library.models import Resource
from mentorhaven.library.services import resource_archive, resource_update, resources_erase
from mentorhaven.privacy.erasure import registry as erasure_registry
from mentorhaven.privacy.erasure import services as erasure
from mentorhaven.privacy.export.registry import ExportContext

from .conftest import add, events, mp4_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(personas):
    return {
        "all": add(personas, "article", title="Welcome", tags="start"),
        "mentee": add(personas, "link", audience="mentee", title="Setting goals", tags="goals"),
        "mentor": add(personas, "article", audience="mentor", title="Listening", tags="skills"),
    }


def _titles(viewer, personas, **kwargs) -> set[str]:
    found = selectors.resources_for(viewer=viewer, program=personas.program, **kwargs)
    return {str(r.title) for r in found}


def test_each_role_sees_what_is_for_it(personas, shelf):
    assert _titles(personas.cara, personas) == {"Welcome", "Setting goals"}
    assert _titles(personas.ana, personas) == {"Welcome", "Listening"}
    everything = {"Welcome", "Setting goals", "Listening"}
    assert _titles(personas.coordinator, personas) == everything
    assert _titles(personas.org_admin, personas) == everything
    for stranger in (personas.outsider, personas.auditor):
        assert _titles(stranger, personas) == set()


@pytest.mark.parametrize("who", ["ana", "outsider", "auditor"])
def test_a_resource_for_another_role_is_the_same_as_missing(personas, shelf, who):
    with pytest.raises(NotFound):
        access_resource(getattr(personas, who), shelf["mentee"].public_id)


def test_members_may_not_write_and_an_archived_resource_disappears(personas, shelf):
    with pytest.raises(PermissionDenied):
        access_resource(personas.cara, shelf["all"].public_id, write=True)
    resource_archive(actor=personas.coordinator, resource=shelf["all"])
    with pytest.raises(NotFound):
        access_resource(personas.cara, shelf["all"].public_id)
    assert access_resource(personas.coordinator, shelf["all"].public_id).is_archived
    assert len(events("resource.archive")) == 1
    resource_archive(actor=personas.coordinator, resource=shelf["all"], archived=False)
    assert access_resource(personas.cara, shelf["all"].public_id)
    assert len(events("resource.restore")) == 1


def test_writes_are_audited_and_text_is_encrypted(personas, shelf):
    assert len(events("resource.create")) == 3
    resource_update(
        actor=personas.org_admin, resource=shelf["all"], audience="all", title="Hello",
        body="New text", tags="start, welcome",
    )  # fmt: skip
    changed = Resource.objects.get(pk=shelf["all"].pk)
    assert str(changed.title) == "Hello" and changed.tag_list() == ["start", "welcome"]
    assert changed.author_id == personas.org_admin.pk
    assert len(events("resource.update")) == 1
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT title, body, tags FROM library_resource WHERE id = %s", [changed.pk])
        raw = b"".join(bytes(v) for v in cursor.fetchone())
    assert b"Hello" not in raw and b"New text" not in raw and b"welcome" not in raw


def test_bad_input_is_refused_with_a_reason(personas):
    for kind, fields, code in (
        ("link", {"url": "javascript:alert(1)"}, "bad_link"),
        ("article", {"body": ""}, "no_body"),
        ("video", {}, "no_file"),
        ("poem", {}, "kind"),
        ("article", {"title": "  "}, "empty"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            add(personas, kind, **fields)
        assert caught.value.code == code, kind
    with pytest.raises(PermissionDenied):
        add(personas, "article", actor=personas.cara)


def test_search_matches_titles_descriptions_and_tags_within_what_one_may_see(personas, shelf):
    assert _titles(personas.cara, personas, query="goals") == {"Setting goals"}
    assert _titles(personas.cara, personas, query="LISTENING") == set()  # mentors only
    assert _titles(personas.ana, personas, query="skills") == {"Listening"}
    assert _titles(personas.cara, personas, query="start with") == set()  # body is not searched
    assert _titles(personas.cara, personas, query="say what") == {"Welcome", "Setting goals"}


def test_view_counts_are_aggregate_and_k_anonymous(client, personas, shelf):
    personas.program.settings = {"min_group_size": 5}
    personas.program.save()
    client.force_login(personas.cara)
    for _ in range(6):
        client.get(f"/library/{shelf['all'].public_id}/")
    client.get(f"/library/{shelf['mentee'].public_id}/")
    counts = dict(Resource.objects.values_list("pk", "view_count"))
    assert counts[shelf["all"].pk] == 6 and counts[shelf["mentee"].pk] == 1
    assert selectors.view_figures(viewer=personas.cara, program=personas.program) is None
    figures = selectors.view_figures(viewer=personas.coordinator, program=personas.program)
    cells = {r.pk: count for r, count in figures.rows}
    assert cells[shelf["mentee"].pk] is None  # 1 opening: hidden
    assert cells[shelf["all"].pk] is None or figures.table.total is None  # not derivable
    page = client.get(f"/library/p/{personas.program.public_id}/")
    assert page.status_code == 200
    client.force_login(personas.coordinator)
    page = client.get(f"/library/p/{personas.program.public_id}/")
    assert "How often resources were opened" in page.content.decode()


def test_api_lists_creates_and_hides(client, personas, shelf, bearer):
    listed = client.get(
        "/api/v1/programs/demo-2026/resources?q=goals", headers=bearer(personas.cara)
    )
    assert listed.status_code == 200
    assert [r["title"] for r in listed.json()] == ["Setting goals"]
    created = client.post(
        "/api/v1/programs/demo-2026/resources",
        {"kind": "link", "title": "Guide", "url": "https://example.org/g", "audience": "mentor"},
        content_type="application/json",
        headers=bearer(personas.coordinator),
    )
    assert created.status_code == 201, created.content
    assert created.json()["url"] == "https://example.org/g"
    upload = client.post(
        "/api/v1/programs/demo-2026/resources",
        {"kind": "video", "title": "Intro", "file": io.BytesIO(mp4_bytes(1000))},
        headers=bearer(personas.coordinator),
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["mime_type"] == "video/mp4"
    for person, status in ((personas.cara, 403), (personas.outsider, 404), (personas.auditor, 404)):
        answer = client.post(
            "/api/v1/programs/demo-2026/resources",
            {"kind": "link", "title": "x", "url": "https://example.org"},
            content_type="application/json",
            headers=bearer(person),
        )
        assert answer.status_code == status, person
    mentor_only = created.json()["id"]
    for person in (personas.cara, personas.outsider):
        assert (
            client.get(f"/api/v1/resources/{mentor_only}", headers=bearer(person)).status_code
            == 404
        )
        assert (
            client.get(
                f"/api/v1/resources/{mentor_only}/content", headers=bearer(person)
            ).status_code
            == 404
        )
    assert (
        client.get(
            "/api/v1/programs/other-2026/resources", headers=bearer(personas.cara)
        ).status_code
        == 404
    )


def test_export_holds_what_the_admin_wrote_and_uploaded(personas, shelf):
    video = add(
        personas, "video", title="Intro", fileobj=io.BytesIO(mp4_bytes(1000)), declared_name="a.mp4"
    )
    rows = list(resource_rows(ExportContext(user=personas.coordinator)))
    assert {str(r["title"]) for r in rows} == {"Welcome", "Setting goals", "Listening", "Intro"}
    [blob] = list(resource_blobs(ExportContext(user=personas.coordinator)))
    assert blob.path == f"library/{video.public_id}/a.mp4"
    assert b"".join(blob.chunks()) == b"".join(video_content for video_content in _content(video))
    assert list(resource_rows(ExportContext(user=personas.cara))) == []  # nothing on readers


def _content(resource):
    from mentorhaven.files.content import file_store

    return file_store().open(
        subject=resource.uploader_id, name=resource.storage_name, binding=resource.content_binding()
    )


def test_the_erasure_step_is_registered():
    assert "library.resources" in {s.name for s in erasure_registry.steps()}


def test_a_full_erasure_of_the_admin_removes_their_resources(personas, shelf):
    erasure.erasure_run(request=erasure.erasure_now(user=personas.coordinator))
    assert not Resource.objects.exists()


def test_erasure_deletes_the_persons_resources_and_their_files(
    personas, shelf, django_capture_on_commit_callbacks
):
    video = add(
        personas, "video", title="Intro", fileobj=io.BytesIO(mp4_bytes(1000)), declared_name="a.mp4"
    )
    other = add(personas, "article", actor=personas.org_admin, title="Kept")
    with django_capture_on_commit_callbacks(execute=True):
        result = resources_erase(user=personas.coordinator)
    assert result == {"resources": 4, "files": 1}
    assert list(Resource.objects.values_list("pk", flat=True)) == [other.pk]
    assert not default_storage.exists(video.storage_name)
