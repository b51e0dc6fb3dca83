"""The confidentiality agreement comes before anything else; a new version asks again; every
acceptance keeps the version and the hash of the text accepted."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.gates.access import access_agreement_to_accept, pending_agreement
from mentorhaven.gates.models import AgreementAcceptance, AgreementVersion
from mentorhaven.gates.services import agreement_accept, agreement_publish
from mentorhaven.kernel.errors import Conflict, NotFound, ValidationFailed
from mentorhaven.kernel.models import AuditEvent

TEXT_1 = "We keep what is said in mentoring between us, except where someone is at risk."
TEXT_2 = TEXT_1 + " Screenshots of conversations are not shared with anyone."


@pytest.fixture
def published(personas) -> AgreementVersion:
    return agreement_publish(actor=personas.org_admin, program=personas.program, text=TEXT_1)


def test_without_a_published_agreement_nobody_is_stopped(client, personas, login):
    login(personas.cara)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_participant_is_sent_to_the_agreement_before_anything_else(
    client, personas, login, published
):
    login(personas.cara)
    agreement_url = reverse("gates:agreement", kwargs={"version_id": published.public_id})
    for path in (reverse("dashboard"), reverse("relationship_list"), reverse("matching_home")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == agreement_url
    page = client.get(agreement_url)
    assert page.status_code == 200
    assert TEXT_1 in page.content.decode()
    # Her own privacy pages and account stay open: the agreement never hides her rights.
    assert client.get(reverse("privacy_home")).status_code == 200


def test_the_api_answers_403_agreement_required(client, personas, login, published):
    login(personas.cara)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "agreement_required"


def test_a_token_is_refused_the_same_way(client, personas, published):
    _, raw = api_token_create(actor=personas.cara, user=personas.cara, name="cli", scope="read")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert response.json()["code"] == "agreement_required"


def test_accepting_opens_the_way_and_keeps_version_and_hash(client, personas, login, published):
    login(personas.cara)
    url = reverse("gates:agreement", kwargs={"version_id": published.public_id})
    assert client.post(url, {}).status_code == 200  # the box must be ticked
    assert not AgreementAcceptance.objects.exists()
    response = client.post(url, {"accept": "on"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    acceptance = AgreementAcceptance.objects.get(user=personas.cara)
    assert acceptance.version == published and acceptance.version.number == 1
    assert acceptance.text_sha256 == hashlib.sha256(TEXT_1.encode()).hexdigest()
    event = AuditEvent.objects.get(action="agreement.accept")
    assert event.extra["number"] == 1


def test_a_new_version_asks_again(client, personas, login, published):
    agreement_accept(actor=personas.cara, version=published)
    assert pending_agreement(personas.cara) is None
    second = agreement_publish(actor=personas.org_admin, program=personas.program, text=TEXT_2)
    assert second.number == 2
    published.refresh_from_db()
    assert published.superseded_at is not None
    assert pending_agreement(personas.cara) == second.public_id
    login(personas.cara)
    response = client.get(reverse("dashboard"))
    assert response["Location"] == reverse(
        "gates:agreement", kwargs={"version_id": second.public_id}
    )
    with pytest.raises(Conflict):
        agreement_accept(actor=personas.cara, version=published)  # the old one is closed
    agreement_accept(actor=personas.cara, version=second)
    assert client.get(reverse("dashboard")).status_code == 200
    hashes = set(
        AgreementAcceptance.objects.filter(user=personas.cara).values_list("text_sha256", flat=True)
    )
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in (TEXT_1, TEXT_2)}


def test_only_participants_of_the_program_are_asked(personas, published):
    assert pending_agreement(personas.outsider) is None
    assert pending_agreement(personas.org_admin) is None  # not a participant of the program
    with pytest.raises(NotFound):
        access_agreement_to_accept(personas.outsider, published.public_id)


def test_only_org_admins_publish(client, personas, login):
    url = reverse("gates:agreement_publish", kwargs={"program_id": personas.program.public_id})
    for person in (personas.coordinator, personas.ana, personas.outsider):
        login(person)
        assert client.get(url).status_code == 404
        client.logout()
    login(personas.org_admin)
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": TEXT_1}).status_code == 302
    assert AgreementVersion.objects.get().published_by == personas.org_admin
    assert AuditEvent.objects.filter(action="agreement.publish").count() == 1


def test_an_empty_agreement_is_refused(personas):
    with pytest.raises(ValidationFailed):
        agreement_publish(actor=personas.org_admin, program=personas.program, text="   ")
