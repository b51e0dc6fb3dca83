"""The account page: display name (editable, audited) and e-mail (shown, not changeable here)."""

from __future__ import annotations

import pytest

from mentorhaven.kernel.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_profile_shows_name_and_email(client, personas, login):
    login(personas.cara)
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    assert b"Cara Mentee" in page.content
    assert personas.cara.email.encode() in page.content


def test_person_changes_their_display_name(client, personas, login):
    login(personas.cara)
    response = client.post("/accounts/profile/", {"display_name": "  Cara M.  "})
    assert response.status_code == 302
    personas.cara.refresh_from_db()
    assert personas.cara.display_name == "Cara M."
    event = AuditEvent.objects.get(action="account.profile_update")
    assert "Cara" not in str(event.extra)


def test_profile_post_cannot_change_the_email(client, personas, login):
    login(personas.cara)
    client.post("/accounts/profile/", {"display_name": "Cara", "email": "evil@example.test"})
    personas.cara.refresh_from_db()
    assert personas.cara.email == "cara.mentee@demo.test"


def test_email_changes_only_once_the_new_address_is_confirmed(
    client, personas, login, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from allauth.account.models import EmailAddress

    login(personas.cara)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/email/", {"email": "cara.new@example.test"})
    assert response.status_code == 302
    personas.cara.refresh_from_db()
    assert personas.cara.email == "cara.mentee@demo.test"  # not yet: unconfirmed
    pending = EmailAddress.objects.get(email="cara.new@example.test")
    assert not pending.verified and not pending.primary
    # The old way round is closed: an unconfirmed address cannot be made primary here.
    client.post("/accounts/email/", {"action_primary": "", "email": "cara.new@example.test"})
    personas.cara.refresh_from_db()
    assert personas.cara.email == "cara.mentee@demo.test"
    (sent,) = [m for m in mailoutbox if m.to == ["cara.new@example.test"]]
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", sent.body)
    assert link, "the confirmation mail carries its link"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link.group(0))
    personas.cara.refresh_from_db()
    assert personas.cara.email == "cara.new@example.test"
    assert list(
        EmailAddress.objects.filter(user=personas.cara).values_list("email", flat=True)
    ) == ["cara.new@example.test"]
    assert AuditEvent.objects.filter(action="account.email_change_start").count() == 1


def test_security_page_shows_mfa_status_and_links(client, personas, login):
    login(personas.ana)
    page = client.get("/accounts/security/").content
    assert b"Authenticator app: on" in page
    assert b'href="/accounts/sessions/"' in page
    assert b'href="/accounts/password/change/"' in page
    client.logout()
    login(personas.cara)
    assert b"Authenticator app: off" in client.get("/accounts/security/").content


def test_account_pages_need_sign_in(client):
    for path in ("/accounts/profile/", "/accounts/sessions/", "/accounts/security/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
