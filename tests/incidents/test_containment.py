"""Containment from an incident: the compromised account is locked, its sessions end, its API
tokens, share links and calendar feed stop working at once — each checked by using them
again afterwards — and the containment is audited and logged on the incident."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.incidents.containment import incident_contain
from mentorhaven.incidents.models import IncidentEntry
from mentorhaven.incidents.services import incident_open
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.services import calendar_feed_create
from tests.mentoring.conftest import make_active

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def caras_access(personas, client):
    """Everything Cara's account can act with: a signed-in session, an API token, a share link
    and a calendar feed."""
    cara = personas.cara
    client.force_login(cara)
    assert client.get(reverse("dashboard")).status_code == 200
    _token, secret = api_token_create(actor=cara, user=cara, name="laptop", scope="write")
    relationship = make_active(personas, cara, personas.ana)
    file = file_upload(
        actor=cara, fileobj=io.BytesIO(b"notes\n"), declared_name="n.txt", relationship=relationship
    )
    _link, share = share_link_create(actor=cara, file=file)
    _feed, feed = calendar_feed_create(actor=cara)
    return {"client": client, "token": secret, "share": share, "feed": feed}


def _works(access, client_factory) -> dict[str, bool]:
    api = client_factory().get("/api/v1/me", headers={"Authorization": f"Bearer {access['token']}"})
    share = client_factory().get(reverse("share_page", kwargs={"token": access["share"]}))
    feed = client_factory().get(reverse("calendar_feed", kwargs={"token": access["feed"]}))
    return {
        "session": access["client"].get(reverse("dashboard")).status_code == 200,
        "token": api.status_code == 200,
        "share_link": share.status_code == 200,
        "calendar_feed": feed.status_code == 200,
    }


def test_containing_the_account_stops_everything_it_could_act_with(
    personas, officer, caras_access, client_factory
):
    assert all(_works(caras_access, client_factory).values())
    incident = incident_open(
        actor=officer, organization_id=personas.org.public_id, severity="critical",
        description="Phished", account_email=personas.cara.email,
    )  # fmt: skip
    done = incident_contain(actor=officer, incident_id=incident.public_id)
    assert done.locked and done.sessions >= 1 and done.tokens == 1
    assert (done.share_links, done.calendar_feeds) == (1, 1)
    assert _works(caras_access, client_factory) == {
        "session": False, "token": False, "share_link": False, "calendar_feed": False,
    }  # fmt: skip
    personas.cara.refresh_from_db()
    assert not personas.cara.is_active
    event = AuditEvent.objects.get(action="incident.contain")
    assert event.extra == done.as_extra()
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1
    assert incident.entries.filter(kind=IncidentEntry.Kind.ACTION).count() == 1


def test_a_locked_account_cannot_sign_in_again(personas, officer, client):
    from tests.conftest import PASSWORD

    incident = incident_open(
        actor=officer, organization_id=personas.org.public_id, severity="high",
        description="x", account_email=personas.cara.email,
    )  # fmt: skip
    incident_contain(actor=officer, incident_id=incident.public_id, steps=["lock"])
    response = client.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
    assert response.status_code != 302 or "inactive" in response["Location"]
    assert client.get(reverse("dashboard")).status_code == 302


def test_containment_needs_a_named_account_and_not_ones_own(personas, officer, incident):
    bare = incident_open(
        actor=officer, organization_id=personas.org.public_id, severity="low", description="x"
    )
    with pytest.raises(ValidationFailed):
        incident_contain(actor=officer, incident_id=bare.public_id)
    own = incident_open(
        actor=officer, organization_id=personas.org.public_id, severity="low",
        description="x", account_email=officer.email,
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        incident_contain(actor=officer, incident_id=own.public_id)
    with pytest.raises(ValidationFailed):
        incident_contain(actor=officer, incident_id=incident.public_id, steps=["erase"])


def test_nobody_but_the_organizations_officers_contains(personas, incident, other_officer):
    for viewer in (personas.org_admin, personas.auditor, other_officer):
        with pytest.raises(NotFound):
            incident_contain(actor=viewer, incident_id=incident.public_id)
    personas.cara.refresh_from_db()
    assert personas.cara.is_active


def test_containment_from_the_incident_page(personas, officer, incident, login):
    client = login(officer)
    page = client.get(f"/incidents/{incident.public_id}/").content.decode()
    assert 'data-testid="contain"' in page
    response = client.post(f"/incidents/{incident.public_id}/contain/", {"steps": ["lock"]})
    assert response.status_code == 302
    personas.cara.refresh_from_db()
    assert not personas.cara.is_active
    assert client.post(f"/incidents/{incident.public_id}/contain/", {}).status_code == 302


def test_an_officer_unlocks_a_contained_account(personas, officer, incident, other_officer):
    from mentorhaven.incidents.containment import incident_account_unlock
    from mentorhaven.kernel.errors import Conflict

    with pytest.raises(Conflict):  # not locked yet
        incident_account_unlock(actor=officer, incident_id=incident.public_id)
    incident_contain(actor=officer, incident_id=incident.public_id)
    with pytest.raises(NotFound):
        incident_account_unlock(actor=other_officer, incident_id=incident.public_id)
    incident_account_unlock(actor=officer, incident_id=incident.public_id)
    personas.cara.refresh_from_db()
    assert personas.cara.is_active
    assert AuditEvent.objects.filter(action="incident.unlock").count() == 1
