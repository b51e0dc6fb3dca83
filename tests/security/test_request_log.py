"""No bearer secret or search term reaches a log line (``mentorhaven/web/request_log.py``).

Every URL pattern whose path takes something other than an identifier (a share, feed,
invitation, reset or confirmation token; anything added later) is walked from the URLconf and
requested with a fresh secret in each such parameter, by GET and by a POST without a CSRF token
(so Django's CSRF logger speaks too); the secret must appear in no log record, while our request
log must have written its line. Query strings, unmatched paths, and the access lines of
``runserver`` and uvicorn are checked the same way.
"""

from __future__ import annotations

import logging
import re
import secrets

import pytest
from django.test import Client

from mentorhaven.mentoring.services import relationship_accept, relationship_propose
from mentorhaven.messaging.services import conversation_for_relationship
from mentorhaven.web.request_log import (
    PLAIN_PARAMETERS,
    PLAIN_QUERY_PARAMETERS,
    REDACTED,
    RedactUrls,
    redact_query,
    redact_url,
)

from .urlwalk import Endpoint, Param, endpoints

pytestmark = pytest.mark.django_db

PLAIN_VALUES = {("matching_questionnaire", "role"): "mentee"}
# Written here, not imported: what may pass unredacted is decided by this test, not the module.
IDENTIFIERS = frozenset({"uuid", "uuidstr", "int"})


def _secret() -> str:
    # Letters and digits: fits every token-taking pattern (str, [-:\w]+, [0-9A-Za-z]+, .+).
    return "Tk" + secrets.token_hex(16)


def _record_text(record: logging.LogRecord) -> str:
    """Everything a handler or formatter could print of a record."""
    return " ".join([record.getMessage(), *(str(v) for v in vars(record).values())])


def _leaks(caplog, *needles: str) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if any(needle in _record_text(r) for needle in needles)
    ]


def _request_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mentorhaven.request"]


def _is_secret(endpoint: Endpoint, param: Param) -> bool:
    return param.kind not in IDENTIFIERS and (endpoint.name, param.name) not in PLAIN_VALUES


SECRET_ENDPOINTS = [
    e for e in endpoints() if not e.error and any(_is_secret(e, p) for p in e.params)
]


def test_the_walk_finds_the_token_carrying_pages():
    names = {e.name for e in SECRET_ENDPOINTS}
    assert {
        "share_page",
        "share_download",
        "calendar_feed",
        "invitation_open",
        "account_reset_password_from_key",
        "account_confirm_email",
    } <= names
    assert not [e.name for e in endpoints() if e.error and e.params], "a pattern escaped the walk"


@pytest.mark.parametrize("endpoint", SECRET_ENDPOINTS, ids=lambda e: e.name)
def test_a_token_in_the_path_is_in_no_log_record(endpoint, caplog):
    caplog.set_level(logging.DEBUG)
    values, tokens = {}, []
    for param in endpoint.params:
        if param.kind in IDENTIFIERS:
            values[param.name] = "00000000-0000-4000-8000-000000000000"
        elif (endpoint.name, param.name) in PLAIN_VALUES:
            values[param.name] = PLAIN_VALUES[endpoint.name, param.name]
        else:
            values[param.name] = token = _secret()
            assert re.fullmatch(param.regex, token), (endpoint.route, param)
            tokens.append(token)
    path = endpoint.build(values)
    assert endpoint.resolves_to_self(path), path
    Client().get(path)
    Client(enforce_csrf_checks=True).post(path)
    assert not _leaks(caplog, *tokens)
    lines = [line for line in _request_lines(caplog) if REDACTED in line]
    assert len(lines) == 2, _request_lines(caplog)  # one line per request, token blanked


def test_plain_words_in_the_path_stay_readable(caplog):
    caplog.set_level(logging.INFO)
    program = "00000000-0000-4000-8000-000000000000"
    Client().get(f"/matching/programs/{program}/questionnaire/mentee/")
    [line] = _request_lines(caplog)
    assert line.startswith(f"GET /matching/programs/{program}/questionnaire/mentee/ 302 ")
    assert set(PLAIN_PARAMETERS) == set(PLAIN_VALUES)  # every plain word is shown here
    assert {name for name, _ in PLAIN_PARAMETERS} <= {e.name for e in endpoints()}


def test_a_search_term_is_in_no_log_record(personas, client, caplog):
    relationship = relationship_propose(
        actor=personas.coordinator, program=personas.program, mentee=personas.cara,
        mentor=personas.ana,
    )  # fmt: skip
    relationship_accept(actor=personas.cara, relationship=relationship)
    relationship = relationship_accept(actor=personas.ana, relationship=relationship)
    conversation = conversation_for_relationship(actor=personas.cara, relationship=relationship)
    client.force_login(personas.cara)
    caplog.set_level(logging.DEBUG)
    term = "burnout" + secrets.token_hex(4)
    response = client.get(f"/messages/c/{conversation.public_id}/search/?q={term}&page=2")
    assert response.status_code == 200
    assert not _leaks(caplog, term)
    [line] = _request_lines(caplog)
    assert line.startswith(f"GET /messages/c/{conversation.public_id}/search/?q={REDACTED}&page=2")


def test_secret_query_values_and_unmatched_paths_are_blanked(client, caplog):
    caplog.set_level(logging.DEBUG)
    token, nxt, odd = secrets.token_urlsafe(32), _secret(), _secret()
    client.get(f"/accounts/login/?next=/s/{nxt}&token={token}&{odd}=1")
    client.get(f"/s/{token}/something/else")  # matches no pattern: a 404 from the resolver
    client.get(f"/relationships/calendar/{token}.ics.bak")
    assert not _leaks(caplog, token, nxt, odd)
    assert any(f"next={REDACTED}&token={REDACTED}" in line for line in _request_lines(caplog))


def test_runserver_and_uvicorn_access_lines_are_redacted(caplog):
    token = _secret()
    logger = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactUrls) for f in logger.filters)
    # Listen on the logger itself: uvicorn may have stopped it propagating (e2e servers).
    logger.addHandler(caplog.handler)
    try:
        caplog.set_level(logging.INFO, logger="uvicorn.access")
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/s/{token}?q=x", "1.1", 404)
    finally:
        logger.removeHandler(caplog.handler)
    server = logging.getLogger("django.server")
    assert any(isinstance(f, RedactUrls) for f in server.filters)
    caplog.set_level(logging.INFO, logger="django.server")
    server.info('"%s" %s %s', f"GET /relationships/calendar/{token}.ics HTTP/1.1", 200, 10)
    assert not _leaks(caplog, token)
    redacted = {r.name for r in caplog.records if REDACTED in r.getMessage()}
    assert redacted == {"uvicorn.access", "django.server"}


U, R = "5f0c6a58-4ac4-4d31-9a39-1a0b8f0e9d11", REDACTED


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/s/abcdefghijklmnopqrstuvwxyz012345", f"/s/{R}"),
        ("/s/abcdefghijklmnopqrstuvwxyz012345/download", f"/s/{R}/download"),
        ("/accounts/invitation/short/", f"/accounts/invitation/{R}/"),
        ("/relationships/calendar/xyz.ics", f"/relationships/calendar/{R}.ics"),
        ("/accounts/password/reset/key/1a-set-password/", f"/accounts/password/reset/key/{R}-{R}/"),
        (f"/files/{U}/", f"/files/{U}/"),
        (f"/api/v1/files/{U}", f"/api/v1/files/{U}"),
        (f"/nowhere/{U}/Zm9vYmFyYmF6cXV4cXV1eA", f"/nowhere/{U}/{R}"),
        ("/messages/?q=stress&after=12", f"/messages/?q={R}&after=12"),
    ],
)
def test_redaction_keeps_identifiers_and_blanks_the_rest(url, expected):
    assert redact_url(url) == expected


def test_only_plain_query_parameters_keep_their_values():
    assert redact_query("page=3&limit=10&q=anxiety&next=/s/abc") == (
        f"page=3&limit=10&q={REDACTED}&next={REDACTED}"
    )
    assert redact_query("Tk0123456789=1") == f"{REDACTED}={REDACTED}"  # a name can be a secret
    assert "page" in PLAIN_QUERY_PARAMETERS and "q" not in PLAIN_QUERY_PARAMETERS
