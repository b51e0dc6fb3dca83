"""AI gateway overhead: minimisation + redaction + audit per call, for a 2,000-character prompt,
beside the raw HTTP call to a local chat-completions server (issue 16). Goal: <= 20 ms.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_ai_gateway.py`` prints one
JSON line. It uses a scratch test database (SQLite in memory by default, or ``DATABASE_URL``)
and the tests' local chat-completions server (``tests/assistant/fake_model.py``) in a thread.

Each of ``--calls`` calls goes through ``gateway.ask`` exactly as the goal coach does: the
organization's settings, every subject's consent, the inventory declaration of each field, the
budget, redaction of a 2,000-character goal description full of names, e-mail addresses and
phone numbers, the HTTP call, the token count and the audit event. The HTTP call inside is timed
apart (``post_chat`` wrapped); the overhead of a call is its whole time minus its HTTP time. The
raw case POSTs the same payload to the same server with ``post_chat`` alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
os.environ.setdefault("MENTORHAVEN_ENV", "test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

GOAL_MS = 20.0
PROMPT_CHARS = 2000


def prompt_text() -> str:
    from tests.assistant.redaction_corpus import CORPUS

    text, i = "", 0
    while len(text) < PROMPT_CHARS:
        text += CORPUS[i % len(CORPUS)][0] + " "
        i += 1
    return text[:PROMPT_CHARS]


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3)


def run(calls: int) -> dict:
    from mentorhaven.accounts.models import User
    from mentorhaven.assistant import gateway
    from mentorhaven.assistant.features import GOAL_COACH, GOAL_DESCRIPTION, GOAL_TITLE
    from mentorhaven.assistant.gateway import Piece
    from mentorhaven.assistant.services import assistant_settings_set
    from mentorhaven.consent.domain import Method, Purpose
    from mentorhaven.consent.services import consent_give
    from mentorhaven.programs.models import Organization
    from tests.assistant.fake_model import FakeModel

    model = FakeModel().start()
    try:
        org = Organization.objects.create(name="Bench", slug="bench-ai")
        mentee = User.objects.create_user(
            email="maria.lopez@bench.test", password=None, display_name="Maria Lopez"
        )
        consent_give(actor=mentee, purpose=Purpose.AI, method=Method.PRIVACY_PAGE)
        assistant_settings_set(
            actor=None,
            organization=org,
            enabled=True,
            base_url=model.url,
            model="bench-model",
            monthly_token_budget=10**9,
        )
        text = prompt_text()
        pieces = [
            Piece(GOAL_TITLE, mentee, "Present the roadmap with confidence", "goals"),
            Piece(GOAL_DESCRIPTION, mentee, text, "goals"),
        ]
        http_times: list[float] = []
        real_post = gateway.post_chat

        def timed_post(**kwargs):
            start = time.perf_counter()
            try:
                return real_post(**kwargs)
            finally:
                http_times.append(time.perf_counter() - start)

        gateway.post_chat = timed_post  # type: ignore[assignment]
        overheads, totals = [], []
        for _ in range(calls):
            start = time.perf_counter()
            gateway.ask(feature=GOAL_COACH, actor=mentee, organization=org, pieces=pieces)
            total = time.perf_counter() - start
            totals.append(total)
            overheads.append(total - http_times[-1])
        gateway.post_chat = real_post  # type: ignore[assignment]
        prepared = gateway.prepare(feature=GOAL_COACH, organization=org, pieces=pieces)
        payload = {"model": "bench-model", "messages": prepared.messages, "max_tokens": 500}
        raw = []
        for _ in range(calls):
            start = time.perf_counter()
            gateway.post_chat(url=f"{model.url}/chat/completions", payload=payload)
            raw.append(time.perf_counter() - start)
        sent = model.received[-1].text
    finally:
        model.stop()
    overhead = median_ms(overheads)
    return {
        "name": "ai_gateway_overhead",
        "value": overhead,
        "unit": "ms per call (median)",
        "goal_ms": GOAL_MS,
        "meets_goal": overhead <= GOAL_MS,
        "overhead_p95_ms": round(sorted(overheads)[int(0.95 * (len(overheads) - 1))] * 1000, 3),
        "gateway_call_ms": median_ms(totals),
        "raw_http_call_ms": median_ms(raw),
        "prompt_chars": len(text),
        "placeholders": sent.count("["),
        "calls": calls,
        "database": connection.vendor,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        result = run(args.calls)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
