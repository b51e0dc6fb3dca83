"""A person's time zone: taken from the browser at sign-up, chosen on the profile page, always a
name from the IANA list (never free text), and active for each of their requests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import override_settings
from django.utils import timezone

from mentorhaven.accounts.domain import is_time_zone
from mentorhaven.accounts.middleware import TimeZoneMiddleware
from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import user_profile_update
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from tests.programs.test_invitations import invite, sign_up

pytestmark = pytest.mark.django_db


def test_a_zone_is_a_name_from_the_list():
    assert is_time_zone("Europe/Berlin") and is_time_zone("UTC")
    for bad in ("Mars/Olympus_Mons", "", "europe/berlin", "<script>", "Europe/Berlin\n", None):
        assert not is_time_zone(bad)


def test_person_chooses_their_zone_on_the_profile_page(client, personas, login):
    login(personas.cara)
    page = client.get("/accounts/profile/").content.decode()
    assert '<option value="UTC" selected>' in page and "America/New_York" in page
    response = client.post(
        "/accounts/profile/", {"display_name": "Cara", "time_zone": "Asia/Kolkata"}
    )
    assert response.status_code == 302
    personas.cara.refresh_from_db()
    assert personas.cara.time_zone == "Asia/Kolkata"
    event = AuditEvent.objects.filter(action="account.profile_update").latest("id")
    assert "time_zone" in event.extra["fields"] and "Kolkata" not in str(event.extra)


def test_an_invalid_zone_posted_is_a_form_error_and_changes_nothing(client, personas, login):
    login(personas.cara)
    response = client.post(
        "/accounts/profile/", {"display_name": "Cara", "time_zone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    personas.cara.refresh_from_db()
    assert personas.cara.time_zone == "UTC"


def test_the_service_refuses_a_zone_not_on_the_list(personas):
    with pytest.raises(ValidationFailed):
        user_profile_update(
            actor=personas.cara, user=personas.cara, display_name="", time_zone="Nowhere/Land"
        )
    personas.cara.refresh_from_db()
    assert personas.cara.time_zone == "UTC"


def test_the_persons_zone_is_active_for_their_requests_only(rf, personas):
    user_profile_update(
        actor=personas.cara, user=personas.cara, display_name="", time_zone="Pacific/Auckland"
    )
    seen: list[str] = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    middleware = TimeZoneMiddleware(view)
    signed_in, visitor = rf.get("/"), rf.get("/")
    signed_in.user, visitor.user = personas.cara, AnonymousUser()
    middleware(signed_in)
    assert timezone.get_current_timezone_name() == "UTC"  # deactivated after the request
    middleware(visitor)
    assert seen == ["Pacific/Auckland", "UTC"]


def test_sign_up_keeps_the_zone_the_browser_reported(
    client, personas, django_capture_on_commit_callbacks
):
    _invitation, token = invite(
        django_capture_on_commit_callbacks,
        actor=personas.coordinator,
        organization=personas.org,
        email="zoe@example.test",
        program=personas.program,
        program_role="mentee",
    )
    client.get(f"/accounts/invitation/{token}/")
    page = client.get("/accounts/signup/").content.decode()
    assert 'type="hidden" name="time_zone"' in page and "data-browser-time-zone" in page
    assert "mentorhaven/time-zone.js" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "zoe@example.test", time_zone="America/New_York")
    assert response.status_code == 302
    assert User.objects.get(email="zoe@example.test").time_zone == "America/New_York"


@override_settings(DEFAULT_USER_TIME_ZONE="Europe/Lisbon")
def test_sign_up_with_an_unknown_zone_gets_the_default_not_the_value(
    client, personas, django_capture_on_commit_callbacks
):
    _invitation, token = invite(
        django_capture_on_commit_callbacks,
        actor=personas.coordinator,
        organization=personas.org,
        email="yan@example.test",
        program=personas.program,
        program_role="mentee",
    )
    client.get(f"/accounts/invitation/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "yan@example.test", time_zone="Etc/Unknown<b>")
    assert response.status_code == 302
    assert User.objects.get(email="yan@example.test").time_zone == "Europe/Lisbon"
