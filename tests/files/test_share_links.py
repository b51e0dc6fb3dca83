"""Share links: hashed tokens, passwords, expiry, limits, revocation, probes, throttling, and
the owner's view of every access."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.utils import timezone

from mentorhaven.files import services
from mentorhaven.files.models import ShareLink, ShareLinkAccess
from mentorhaven.files.services import share_link_create, share_link_revoke, share_links, token_hash
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent

from .conftest import PLAIN_TEXT, body

pytestmark = pytest.mark.django_db

Outcome = ShareLinkAccess.Outcome
PASSWORD = "blue-heron-lantern"


@pytest.fixture
def anon():
    return Client()


def _link(personas, file, **options):
    return share_link_create(actor=personas.cara, file=file, **options)


def _outcomes(link) -> list[str]:
    return list(
        ShareLinkAccess.objects.filter(link=link).order_by("pk").values_list("outcome", flat=True)
    )


def _count(link) -> int:
    link.refresh_from_db()
    return link.download_count


# --- creation ---------------------------------------------------------------------------------


def test_token_has_at_least_128_bits_and_only_its_hash_is_stored(personas, cara_file):
    link, token = _link(personas, cara_file)
    assert len(token) >= 22  # 22 url-safe characters carry 132 bits; ours carry 256
    assert link.token_hash == token_hash(token)
    row = ShareLink.objects.filter(pk=link.pk).values()[0]
    assert token not in str(row)
    event = AuditEvent.objects.get(action="share_link.create")
    assert token not in str(event.extra)


def test_password_is_stored_as_an_argon2_hash(personas, cara_file):
    link, _ = _link(personas, cara_file, password=PASSWORD)
    assert identify_hasher(link.password_hash).algorithm == "argon2"
    assert PASSWORD not in link.password_hash


def test_expiry_defaults_to_seven_days_and_is_at_most_thirty(personas, cara_file):
    link, _ = _link(personas, cara_file)
    assert link.expires_at - link.created_at == timedelta(days=7)
    link, _ = _link(personas, cara_file, expires_in_days=30)
    assert link.expires_at - link.created_at == timedelta(days=30)
    for days in (0, 31, 365):
        with pytest.raises(ValidationFailed):
            _link(personas, cara_file, expires_in_days=days)


def test_program_can_require_a_password(personas, cara_file):
    personas.program.settings = {"share_links_require_password": True}
    personas.program.save()
    cara_file.relationship.program.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        _link(personas, cara_file, password=None)
    assert refused.value.code == "password_required"
    link, _ = _link(personas, cara_file, password=PASSWORD)
    assert link.has_password


def test_only_the_uploader_creates_links(personas, cara_file):
    with pytest.raises(PermissionDenied):
        share_link_create(actor=personas.ana, file=cara_file)


@pytest.mark.parametrize("fail_at", ["password", "audit"])
def test_creation_fails_closed(personas, cara_file, monkeypatch, fail_at):
    def broken(*args, **kwargs):
        raise RuntimeError("failure in the middle of creating a link")

    if fail_at == "password":
        monkeypatch.setattr(share_links, "make_password", broken)
    else:
        monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        _link(personas, cara_file, password=PASSWORD, expires_in_days=3)
    assert not ShareLink.objects.exists()


def test_failure_after_the_row_is_written_leaves_no_link(personas, cara_file, monkeypatch):
    created = []
    original = ShareLink.objects.create

    def create_then_fail(**kwargs):
        created.append(original(**kwargs))
        raise RuntimeError("crash after the insert")

    monkeypatch.setattr(ShareLink.objects, "create", create_then_fail)
    with pytest.raises(RuntimeError):
        _link(personas, cara_file, password=PASSWORD)
    assert created, "the row was inserted before the failure"
    assert not ShareLink.objects.exists()


# --- using a link -----------------------------------------------------------------------------


def test_link_without_password_downloads_and_counts_once(personas, cara_file, anon):
    link, token = _link(personas, cara_file)
    page = anon.get(f"/s/{token}")
    assert page.status_code == 200
    assert b"resume.txt" in page.content
    assert _count(link) == 0
    response = anon.get(f"/s/{token}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert body(response) == PLAIN_TEXT.encode()
    assert _count(link) == 1
    assert _outcomes(link) == [Outcome.OPENED, Outcome.DOWNLOADED]
    read = AuditEvent.objects.get(action="data.read")
    assert read.subject == audit.pseudonym(personas.cara)


def test_share_pages_send_no_referrer(personas, cara_file, anon):
    _, token = _link(personas, cara_file, password=PASSWORD)
    for response in (anon.get(f"/s/{token}"), anon.post(f"/s/{token}", {"password": "nope"})):
        assert response["Referrer-Policy"] == "no-referrer"
        assert b'content="no-referrer"' in response.content
        assert b'content="same-origin"' not in response.content
        assert "no-store" in response["Cache-Control"]


def test_password_link_serves_the_file_only_for_the_right_password(personas, cara_file, anon):
    link, token = _link(personas, cara_file, password=PASSWORD)
    page = anon.get(f"/s/{token}")
    assert b'name="password"' in page.content
    assert anon.get(f"/s/{token}/download").status_code == 302
    wrong = anon.post(f"/s/{token}", {"password": "not the password"})
    assert wrong.status_code == 403
    assert PLAIN_TEXT.encode() not in wrong.content
    assert _count(link) == 0
    right = anon.post(f"/s/{token}", {"password": PASSWORD})
    assert right.status_code == 200
    assert body(right) == PLAIN_TEXT.encode()
    assert _count(link) == 1
    assert _outcomes(link) == [
        Outcome.OPENED,
        Outcome.PASSWORD_NEEDED,
        Outcome.WRONG_PASSWORD,
        Outcome.DOWNLOADED,
    ]


def test_link_stops_working_when_it_expires(personas, cara_file, anon):
    link, token = _link(personas, cara_file, expires_in_days=2)
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=23)):
        assert anon.get(f"/s/{token}/download").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2, seconds=1)):
        for response in (anon.get(f"/s/{token}"), anon.get(f"/s/{token}/download")):
            assert response.status_code == 404
            assert PLAIN_TEXT.encode() not in body(response)
    assert _count(link) == 1
    assert _outcomes(link)[-2:] == [Outcome.EXPIRED, Outcome.EXPIRED]


def test_download_limit_is_enforced(personas, cara_file, anon):
    link, token = _link(personas, cara_file, max_downloads=2)
    assert anon.get(f"/s/{token}/download").status_code == 200
    assert anon.get(f"/s/{token}/download").status_code == 200
    third = anon.get(f"/s/{token}/download")
    assert third.status_code == 404
    assert PLAIN_TEXT.encode() not in body(third)
    assert _count(link) == 2
    assert _outcomes(link)[-1] == Outcome.LIMIT_REACHED


def test_revocation_is_immediate(personas, cara_file, anon):
    link, token = _link(personas, cara_file)
    assert anon.get(f"/s/{token}").status_code == 200
    share_link_revoke(actor=personas.cara, link=link)
    response = anon.get(f"/s/{token}/download")
    assert response.status_code == 404
    assert PLAIN_TEXT.encode() not in body(response)
    assert _outcomes(link)[-1] == Outcome.REVOKED
    assert AuditEvent.objects.filter(action="share_link.revoke").count() == 1


def test_only_the_creator_can_revoke(personas, cara_file, login):
    link, _ = _link(personas, cara_file)
    with pytest.raises(PermissionDenied):
        share_link_revoke(actor=personas.ana, link=link)
    client = login(personas.ana)
    assert client.post(f"/files/share-links/{link.public_id}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_RANGE": "bytes=0-"},
        {"HTTP_RANGE": "bytes=0-10"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_PURPOSE": "prefetch"},
    ],
    ids=["range-open", "range", "sec-purpose", "sec-purpose-prerender", "purpose"],
)
def test_range_and_prefetch_requests_return_no_content_and_count_nothing(
    personas, cara_file, anon, headers
):
    link, token = _link(personas, cara_file, max_downloads=1)
    for url in (f"/s/{token}", f"/s/{token}/download"):
        response = anon.get(url, **headers)
        assert response.status_code in (204, 416)
        assert body(response) == b""
    assert _count(link) == 0
    assert set(_outcomes(link)) == {Outcome.NOT_COUNTED}
    assert anon.get(f"/s/{token}/download").status_code == 200  # the one download is intact


def test_head_returns_no_content_and_counts_nothing(personas, cara_file, anon):
    link, token = _link(personas, cara_file, max_downloads=1)
    for url in (f"/s/{token}", f"/s/{token}/download"):
        response = anon.head(url)
        assert response.status_code == 204
        assert body(response) == b""
    assert _count(link) == 0
    assert anon.get(f"/s/{token}/download").status_code == 200


def test_range_on_the_password_post_counts_nothing(personas, cara_file, anon):
    link, token = _link(personas, cara_file, password=PASSWORD)
    response = anon.post(f"/s/{token}", {"password": PASSWORD}, HTTP_RANGE="bytes=0-")
    assert body(response) == b""
    assert _count(link) == 0


def test_wrong_passwords_are_throttled_per_link(personas, cara_file, anon):
    link, token = _link(personas, cara_file, password=PASSWORD)
    _other, other_token = _link(personas, cara_file, password=PASSWORD)
    for _ in range(services.PASSWORD_ATTEMPTS):
        assert anon.post(f"/s/{token}", {"password": "guess"}).status_code == 403
    blocked = anon.post(f"/s/{token}", {"password": PASSWORD})
    assert blocked.status_code == 429
    assert b"Too many wrong passwords" in blocked.content
    assert PLAIN_TEXT.encode() not in blocked.content
    assert _count(link) == 0
    assert _outcomes(link)[-1] == Outcome.THROTTLED
    # Another link to the same file is not affected.
    assert anon.post(f"/s/{other_token}", {"password": PASSWORD}).status_code == 200
    # After the window, the right password works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert anon.post(f"/s/{token}", {"password": PASSWORD}).status_code == 200


def test_unknown_or_malformed_tokens_get_the_same_404(personas, cara_file, anon):
    _, token = _link(personas, cara_file)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    for url in (f"/s/{wrong}", "/s/short", f"/s/{wrong}/download"):
        response = anon.get(url)
        assert response.status_code == 404
        assert b"This link does not work" in response.content


def test_erased_file_behind_a_link_gets_a_clear_page(personas, cara_file, anon):
    link, token = _link(personas, cara_file)
    vault.shred(personas.cara)
    for url in (f"/s/{token}", f"/s/{token}/download"):
        response = anon.get(url)
        assert response.status_code == 410
        assert b"This file has been erased" in response.content
    assert _count(link) == 0
    assert set(_outcomes(link)) == {Outcome.ERASED}


def test_every_access_is_audited_without_the_visitors_details(personas, cara_file, anon):
    _link_row, token = _link(personas, cara_file, password=PASSWORD)
    anon.get(f"/s/{token}", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Secret/1.0")
    anon.post(f"/s/{token}", {"password": "nope"}, REMOTE_ADDR="203.0.113.77")
    events = AuditEvent.objects.filter(action="share_link.access").order_by("id")
    assert [e.extra["outcome"] for e in events] == [Outcome.OPENED, Outcome.WRONG_PASSWORD]
    assert all(e.subject == audit.pseudonym(personas.cara) for e in events)
    row = str(list(ShareLinkAccess.objects.values()))
    assert "203.0.113" not in row and "Secret" not in row


def test_owner_sees_every_access_on_the_file_page(personas, cara_file, anon, login):
    _link_row, token = _link(personas, cara_file, password=PASSWORD)
    anon.get(f"/s/{token}")
    anon.post(f"/s/{token}", {"password": "nope"})
    anon.post(f"/s/{token}", {"password": PASSWORD})
    client = login(personas.cara)
    page = client.get(f"/files/{cara_file.public_id}/")
    assert page.status_code == 200
    for label in (b"Link page opened", b"Wrong password", b"File downloaded"):
        assert label in page.content
    # The other participant sees the file but not Cara's links or their log.
    mentor_page = login(personas.ana, Client()).get(f"/files/{cara_file.public_id}/")
    assert mentor_page.status_code == 200
    assert b"Wrong password" not in mentor_page.content


def test_link_created_on_the_page_is_shown_once(personas, cara_file, login, anon):
    client = login(personas.cara)
    response = client.post(
        f"/files/{cara_file.public_id}/share-links/",
        {"password": PASSWORD, "expires_in_days": 3, "max_downloads": 1},
    )
    assert response.status_code == 201
    url = response.context["new_url"]
    token = url.rsplit("/", 1)[1]
    assert ShareLink.objects.get().token_hash == token_hash(token)
    assert token not in client.get(f"/files/{cara_file.public_id}/").content.decode()
    assert body(anon.post(f"/s/{token}", {"password": PASSWORD})) == PLAIN_TEXT.encode()


def test_revoke_button_stops_the_link(personas, cara_file, login, anon):
    link, token = _link(personas, cara_file)
    client = login(personas.cara)
    response = client.post(f"/files/share-links/{link.public_id}/revoke/")
    assert response.status_code == 302
    assert anon.get(f"/s/{token}/download").status_code == 404


def test_deleting_the_file_kills_its_links(personas, cara_file, anon):
    _, token = _link(personas, cara_file)
    services.file_delete(actor=personas.cara, file=cara_file)
    assert anon.get(f"/s/{token}").status_code == 404
