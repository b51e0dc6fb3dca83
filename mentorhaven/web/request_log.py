"""Our request log: one INFO line per request (method, path, status, duration), with secrets out.

Some addresses are credentials: a share link (``/s/<token>``), a calendar feed, an invitation, a
password-reset or e-mail confirmation key. Some query strings are private: what someone searched
their messages for (``?q=``), where a sign-in sends them next. None of it may reach a log line
we write, so every path and query string is redacted before it is logged:

* **Path parameters are secret unless they are identifiers.** The URL pattern a request matched
  says which parts of the path are parameters and which converter took them; every captured
  value is replaced by ``[redacted]`` unless its converter is an identifier (``uuid``, Ninja's
  ``uuidstr``, ``int``) or the parameter is listed in ``PLAIN_PARAMETERS`` (a plain word such as
  a questionnaire's role). A pattern added later with a ``str``, ``slug``, ``path`` or regex
  parameter is therefore redacted without anyone remembering to mark it; the test walking every
  URL pattern (``tests/security/test_request_log.py``) requests each one and checks.
* **A path that matches no pattern** has every token-shaped run (16 or more letters, digits, ``-``
  or ``_``, other than a UUID) redacted: a mistyped share link is still a share link.
* **Query values are secret unless their name is in ``PLAIN_QUERY_PARAMETERS``** (paging
  cursors and the like); names are kept when they look like words, so ``?q=`` shows as
  ``q=[redacted]``.

Django's own request records (``django.request``: "Not Found: /s/…"; ``django.security.csrf``;
``django.server`` under ``runserver``) and uvicorn's access records, should its access log be
left on, go through ``RedactUrls``, a logging filter set on those loggers in ``LOGGING``.
uvicorn's access log is turned off in favour of this one (``--no-access-log``).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve

logger = logging.getLogger("mentorhaven.request")

REDACTED = "[redacted]"
# Converters whose values are identifiers, never secrets (Ninja routes use "uuidstr").
IDENTIFIER_CONVERTERS = frozenset({"uuid", "uuidstr", "int"})
# (URL name, parameter) pairs taking a plain word, logged as they are.
PLAIN_PARAMETERS = frozenset({("matching_questionnaire", "role")})
# Query parameters whose values are logged: cursors, paging and view switches, nothing typed.
PLAIN_QUERY_PARAMETERS = frozenset({"after", "before", "limit", "offset", "page", "own", "role"})

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
TOKEN_SHAPED = re.compile(r"[A-Za-z0-9_\-]{16,}")
UUID_SHAPED = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
WORD = re.compile(r"[a-z][a-z_]{0,23}")
REQUEST_LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<target>\S+)(?P<rest> HTTP/\S+)$")
MAX_METHOD = 16


def _secret_values(match: ResolverMatch) -> list[str]:
    """The captured path values of ``match`` that may be secrets (see the module docstring)."""
    converters = {
        m["name"]: m["converter"] or "str" for m in ROUTE_PARAMETER.finditer(match.route or "")
    }
    secrets = [str(value) for value in match.args]  # unnamed regex groups: nothing says plain
    # Only what the path captured: defaults a pattern passes to its view are not in the path.
    captured = getattr(match, "captured_kwargs", None) or {
        # A regular-expression route under an include (allauth's OpenID Connect addresses)
        # leaves captured_kwargs empty: then every keyword but the pattern's defaults.
        name: value
        for name, value in match.kwargs.items()
        if name not in (getattr(match, "extra_kwargs", None) or {})
    }
    for name, value in captured.items():
        if converters.get(name) in IDENTIFIER_CONVERTERS:
            continue
        if (match.url_name, name) in PLAIN_PARAMETERS:
            continue
        secrets.append(str(value))
    return [s for s in secrets if s]


def _redact_unmatched(path: str) -> str:
    def blank(found: re.Match) -> str:
        return found[0] if UUID_SHAPED.fullmatch(found[0]) else REDACTED

    return TOKEN_SHAPED.sub(blank, path)


def redact_path(path: str, match: ResolverMatch | None = None) -> str:
    """``path`` with every possibly secret parameter replaced by ``[redacted]``.

    ``match`` is the request's resolver match when the caller has it; otherwise the path is
    resolved here. Longer values are replaced first, so one secret inside another cannot survive.
    """
    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            return _redact_unmatched(path)
    for secret in sorted(_secret_values(match), key=len, reverse=True):
        path = path.replace(secret, REDACTED)
    return path


def redact_query(query: str) -> str:
    """A query string with every value blanked except those of plain parameters."""
    if not query:
        return ""
    parts = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        shown_name = name if WORD.fullmatch(name) else REDACTED
        shown_value = value if name in PLAIN_QUERY_PARAMETERS and len(value) <= 40 else REDACTED
        parts.append(f"{shown_name}={shown_value}")
    return "&".join(parts) if parts else REDACTED


def redact_url(url: str, match: ResolverMatch | None = None) -> str:
    """A path with an optional ``?query``, both redacted."""
    path, _, query = url.partition("?")
    redacted = redact_path(path, match)
    return f"{redacted}?{redact_query(query)}" if query else redacted


class RequestLogMiddleware:
    """One INFO line per request on ``mentorhaven.request``: method, redacted path and query,
    status, milliseconds until the response was ready (a streamed download's body is sent
    after). Nothing about the person: no user, no address, no headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            if logger.isEnabledFor(logging.INFO):
                url = redact_path(request.path, getattr(request, "resolver_match", None))
                query = request.META.get("QUERY_STRING", "")
                if query:
                    url = f"{url}?{redact_query(query)}"
                logger.info(
                    "%s %s %s %.1fms",
                    _printable((request.method or "")[:MAX_METHOD]),
                    _printable(url),
                    status,
                    (time.perf_counter() - started) * 1000,
                )


def _printable(text: str) -> str:
    # As Django escapes its own log arguments: no line breaks or control characters forged in.
    return text.encode("unicode_escape").decode("ascii")


class RedactUrls(logging.Filter):
    """Redacts the paths in records other code writes about requests (Django's "Not Found:
    /s/…", CSRF refusals, ``runserver`` and uvicorn access lines), and drops the request object
    Django attaches, whose text would show the path again."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_argument(arg) for arg in record.args)
        elif not record.args and isinstance(record.msg, str) and record.msg.startswith("/"):
            record.msg = redact_url(record.msg)
        if getattr(record, "request", None) is not None:
            record.request = None
        return True


def _redact_argument(value: object) -> object:
    if not isinstance(value, str):
        return value
    if value.startswith("/"):
        return redact_url(value)
    line = REQUEST_LINE.match(value)  # runserver: "GET /s/… HTTP/1.1"
    if line:
        return f"{line['method']} {redact_url(line['target'])}{line['rest']}"
    return value
