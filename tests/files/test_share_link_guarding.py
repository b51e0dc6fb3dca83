"""Share links give nothing away: password guesses are counted atomically (never more checked
than the limit, however many arrive at once), a password-protected link shows nothing of its
file before the password, and a dead link answers HEAD exactly like an unknown one."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from mentorhaven.files import services
from mentorhaven.files.services import share_link_create, share_link_revoke, share_links
from mentorhaven.kernel.errors import RateLimited, ValidationFailed

PASSWORD = "blue-heron-lantern"
GUESSERS = 15


def _link(personas, file, **options):
    return share_link_create(actor=personas.cara, file=file, **options)


@pytest.fixture
def counted_checks(monkeypatch):
    """Every password actually checked against the hash, slowed down a little so that
    parallel guesses overlap the way they do against Argon2 on a busy server."""
    checked: list[str] = []
    real = share_links.check_password

    def counting(password, encoded):
        checked.append(password)
        time.sleep(0.05)
        return real(password, encoded)

    monkeypatch.setattr(share_links, "check_password", counting)
    return checked


def _guess_in_parallel(link, count: int) -> list[type]:
    outcomes: list[type] = []
    start = threading.Barrier(count)

    def guess() -> None:
        try:
            start.wait()
            services.share_link_password_check(link=link, password="a wrong guess")
        except (ValidationFailed, RateLimited) as refusal:
            outcomes.append(type(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: set DATABASE_URL=postgres://…",
)
def test_parallel_guesses_never_check_more_than_the_limit(personas, cara_file, counted_checks):
    link, _token = _link(personas, cara_file, password=PASSWORD)
    outcomes = _guess_in_parallel(link, GUESSERS)
    assert len(outcomes) == GUESSERS
    assert len(counted_checks) == services.PASSWORD_ATTEMPTS
    assert outcomes.count(ValidationFailed) == services.PASSWORD_ATTEMPTS
    assert outcomes.count(RateLimited) == GUESSERS - services.PASSWORD_ATTEMPTS


@pytest.mark.django_db
def test_guesses_one_after_another_stop_at_the_limit(personas, cara_file, counted_checks):
    link, _token = _link(personas, cara_file, password=PASSWORD)
    for _ in range(services.PASSWORD_ATTEMPTS):
        with pytest.raises(ValidationFailed):
            services.share_link_password_check(link=link, password="wrong")
    for _ in range(3):
        with pytest.raises(RateLimited):
            services.share_link_password_check(link=link, password=PASSWORD)
    assert len(counted_checks) == services.PASSWORD_ATTEMPTS
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        services.share_link_password_check(link=link, password=PASSWORD)


@pytest.mark.django_db
def test_the_right_password_costs_no_attempt(personas, cara_file):
    link, _token = _link(personas, cara_file, password=PASSWORD)
    for _ in range(services.PASSWORD_ATTEMPTS * 2):
        services.share_link_password_check(link=link, password=PASSWORD)
    link.refresh_from_db()
    assert link.password_failures == 0


# --- nothing shown before the password ----------------------------------------------------------


@pytest.mark.django_db
def test_password_link_page_shows_nothing_about_the_file(personas, cara_file):
    link, token = _link(personas, cara_file, password=PASSWORD)
    page = Client().get(f"/s/{token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password"' in html
    # The CSRF token is random text that may hold the file's size ("70") by chance.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    for detail in (
        str(cara_file.filename),
        "resume",
        f"{cara_file.size}",
        "bytes",
        link.expires_at.strftime("%B"),
        "expires",
    ):
        assert detail not in html, detail
    wrong = Client().post(f"/s/{token}", {"password": "not it at all"})
    assert wrong.status_code == 403
    assert str(cara_file.filename) not in wrong.content.decode()
    assert "expires" not in wrong.content.decode()


@pytest.mark.django_db
def test_open_link_page_still_names_its_file(personas, cara_file):
    _link_row, token = _link(personas, cara_file)
    html = Client().get(f"/s/{token}").content.decode()
    assert str(cara_file.filename) in html and "expires" in html


# --- a dead link answers HEAD like an unknown one -----------------------------------------------


def _answer(response) -> tuple:
    headers = {k: v for k, v in response.items() if k.lower() not in {"date"}}
    return response.status_code, headers, response.content


def _dead_links(personas, file):
    revoked, revoked_token = _link(personas, file)
    share_link_revoke(actor=personas.cara, link=revoked)
    _used, used_token = _link(personas, file, max_downloads=1)
    assert Client().get(f"/s/{used_token}/download").status_code == 200
    _expired, expired_token = _link(personas, file, expires_in_days=1)
    return {"revoked": revoked_token, "used up": used_token, "expired": expired_token}


@pytest.mark.django_db
def test_head_on_a_dead_link_answers_like_an_unknown_link(personas, cara_file):
    dead = _dead_links(personas, cara_file)
    _live, live_token = _link(personas, cara_file)
    unknown = "x" * len(live_token)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        for suffix in ("", "/download"):
            expected = _answer(Client().head(f"/s/{unknown}{suffix}"))
            assert expected[0] == 404
            for why, token in dead.items():
                assert _answer(Client().head(f"/s/{token}{suffix}")) == expected, why
                assert _answer(Client().get(f"/s/{token}{suffix}"))[0] == 404, why
