"""Impact analysis over a large audit log, on PostgreSQL.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_impact.py`` prints one JSON
line. It uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/mh_bench_impact``),
creates that scratch database if needed, migrates it and empties the audit tables first.

The log: ``BENCH_IMPACT_EVENTS`` events (default 1,000,000) by 50 actors about 2,000 people
(``BENCH_IMPACT_PEOPLE``) in five categories over the last 100,000 seconds, written as pending
rows with real keyed pseudonyms (one INSERT … SELECT per 100,000 rows: the analysis does not
need them sealed). The compromised account is actor 0: every 50th event is theirs, so the
answer — which people, which categories, how many events each — is known in advance and
checked.

Cases (goal from issue 12: <= 60 s for 1,000,000 events):
* ``account``: ``mentorhaven incident impact --account EMAIL --json`` (the command itself).
* ``window``: the same without an account, over the last tenth of the window, two categories.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mh_bench_impact"
EVENTS = int(os.environ.get("BENCH_IMPACT_EVENTS", "1000000"))
PEOPLE = int(os.environ.get("BENCH_IMPACT_PEOPLE", "2000"))
ACTORS = 50
SPAN_SECONDS = 100_000
CATEGORIES = ["personal", "platform", "program", "professional", "analytical"]
BATCH = 100_000
TARGET_SECONDS = 60


def setup() -> None:
    os.environ.setdefault("MENTORHAVEN_ENV", "test")
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench_impact measures PostgreSQL: DATABASE_URL must be postgres://…")
    from benchmarks.bench_audit import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.bench_audit import empty_audit_tables

    call_command("migrate", verbosity=0)
    empty_audit_tables()


def make_people() -> list[tuple[int, str, str]]:
    """(user id, e-mail, pseudonym) of everyone in the log, keys created."""
    from mentorhaven.accounts.models import User
    from mentorhaven.kernel import audit, vault

    emails = [f"impact{i}@impact.bench" for i in range(PEOPLE)]
    have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(User(email=e, display_name="I") for e in emails if e not in have)
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    vault.subject_secrets([ids[e] for e in emails])  # keys made, as a running site has them
    by_id = {uid: p for p, uid in audit.pseudonyms_of(ids.values()).items()}
    return [(ids[e], e, by_id[ids[e]]) for e in emails]


def load(people: list[tuple[int, str, str]]) -> float:
    from django.db import connection, transaction

    actors = [p for _, _, p in people[:ACTORS]]
    subjects = [p for _, _, p in people]
    started = time.perf_counter()
    for start in range(0, EVENTS, BATCH):
        end = min(EVENTS, start + BATCH) - 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO kernel_auditevent (occurred_at, actor, actor_role, action,
                    target_type, target_id, subject, purpose, category, organization_id, extra,
                    prev_hash, hash)
                SELECT now() - make_interval(secs => g %% %(span)s),
                    (%(actors)s::text[])[g %% %(na)s + 1],
                    '', 'data.read', '', '', (%(subjects)s::text[])[(g * 7) %% %(ns)s + 1],
                    'bench', (%(cats)s::text[])[g %% 5 + 1], NULL, '{}', '', ''
                FROM generate_series(%(lo)s, %(hi)s) AS g
                """,
                {
                    "span": SPAN_SECONDS, "actors": actors, "na": ACTORS, "subjects": subjects,
                    "ns": len(subjects), "cats": CATEGORIES, "lo": start, "hi": end,
                },
            )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kernel_auditevent")
    return time.perf_counter() - started


def known_answer(people, *, actor_index=None, newest_seconds=None, categories=()) -> dict:
    found: dict[str, dict] = defaultdict(lambda: {"categories": set(), "events": 0})
    for g in range(EVENTS):
        if actor_index is not None and g % ACTORS != actor_index:
            continue
        if newest_seconds is not None and g % SPAN_SECONDS >= newest_seconds:
            continue
        category = CATEGORIES[g % 5]
        if categories and category not in categories:
            continue
        row = found[people[(g * 7) % len(people)][1]]
        row["categories"].add(category)
        row["events"] += 1
    return {e: (sorted(v["categories"]), v["events"]) for e, v in found.items()}


def answer(result: dict) -> dict:
    return {row["email"]: (row["categories"], row["events"]) for row in result["subjects"]}


def main() -> None:
    setup()
    from django.core.management import call_command
    from django.utils import timezone

    from benchmarks.bench_audit import machine

    people = make_people()
    load_seconds = load(people)
    cases = {}

    out = io.StringIO()
    started = time.perf_counter()
    call_command("incident", "impact", "--account", people[0][1], "--json", stdout=out)
    seconds = time.perf_counter() - started
    result = json.loads(out.getvalue())
    cases["account"] = {
        "seconds": round(seconds, 2),
        "subjects": len(result["subjects"]),
        "events": result["events"],
        "correct": answer(result) == known_answer(people, actor_index=0),
    }

    # The newest tenth of the window (a little margin: the rows' clock started at load time).
    newest = SPAN_SECONDS // 10
    since = timezone.now() - timedelta(seconds=newest - 60)
    out = io.StringIO()
    started = time.perf_counter()
    call_command(
        "incident", "impact", "--from", since.isoformat(), "--category", "personal",
        "--category", "platform", "--json", stdout=out,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    result = json.loads(out.getvalue())
    cases["window"] = {
        "seconds": round(seconds, 2),
        "subjects": len(result["subjects"]),
        "events": result["events"],
    }
    slowest = max(case["seconds"] for case in cases.values())
    print(
        json.dumps(
            {
                "bench": "impact",
                "events_in_log": EVENTS,
                "people": PEOPLE,
                "load_seconds": round(load_seconds, 1),
                "cases": cases,
                "target_seconds": TARGET_SECONDS,
                "ok": slowest <= TARGET_SECONDS and cases["account"]["correct"],
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
