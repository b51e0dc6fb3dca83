"""Matching through the Django layer on PostgreSQL: load (decrypt) a program, run it, suggest.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_match_run.py`` prints one
JSON line per case. It uses ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/mh_bench_match``), creates that scratch database if
needed, migrates it and fills one program once (``BENCH_MENTEES`` x ``BENCH_MENTORS``, default
1,000 x 200, capacity 5, four questions, one sensitive with 70% consent, goals text).

Cases:
* ``match_load_program``: ``adapters.load_program``: every answer decrypted under its owner's
  key, consent applied.
* ``match_run_create``: the admin's "Run matching": load, score, exact assignment, greedy
  baseline, explanations, and the draft written (one transaction).
* ``match_suggestions``: one mentee's top five mentors (``selectors.suggestions_for``).

The pure scorer and assigner at large sizes are measured by ``bench_matching.py``.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mh_bench_match"
MENTEES = int(os.environ.get("BENCH_MENTEES", "1000"))
MENTORS = int(os.environ.get("BENCH_MENTORS", "200"))
SLUG = f"bench-{MENTEES}x{MENTORS}"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup() -> None:
    os.environ.setdefault("MENTORHAVEN_ENV", "test")
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench_match_run measures PostgreSQL: DATABASE_URL must be postgres://…")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill_program():
    """The program, created once; later runs reuse it (filling is slow, reading is measured)."""
    from django.db import transaction

    from mentorhaven.accounts.models import User
    from mentorhaven.consent.domain import TEXTS, Purpose
    from mentorhaven.consent.models import ConsentRecord
    from mentorhaven.matching.models import Answer, Profile
    from mentorhaven.matching.services import question_create
    from mentorhaven.programs.models import Membership, Organization, Program

    existing = Program.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing, User.objects.get(email=f"admin@{SLUG}.bench")
    rng = random.Random(7)
    with transaction.atomic():
        org = Organization.objects.create(name=SLUG, slug=SLUG)
        program = Program.objects.create(organization=org, name=SLUG, slug=SLUG)
        admin = User.objects.create_user(email=f"admin@{SLUG}.bench", password=None)
        Membership.objects.create(program=program, user=admin, role="program_admin")
        topics = [f"t{i}" for i in range(12)]
        questions = [
            question_create(actor=admin, program=program, kind="multi", prompt="Topics",
                            options=topics),
            question_create(actor=admin, program=program, kind="single", prompt="Industry",
                            options=["a", "b", "c", "d", "e"]),
            question_create(actor=admin, program=program, kind="scale", prompt="Structure"),
            question_create(actor=admin, program=program, kind="single", prompt="Gender",
                            options=["f", "m", "x"], sensitive=True),
        ]  # fmt: skip
        words = "lead team career python data product speak manage grow finance health design"
        vocabulary = words.split()
        for role, count in (("mentee", MENTEES), ("mentor", MENTORS)):
            users = User.objects.bulk_create(
                User(email=f"{role}{i}@{SLUG}.bench", display_name=f"{role} {i}")
                for i in range(count)
            )
            Membership.objects.bulk_create(
                Membership(program=program, user=u, role=role) for u in users
            )
            profiles = Profile.objects.bulk_create(
                Profile(program=program, user=u, role=role, capacity=5,
                        goals=" ".join(rng.sample(vocabulary, 4)))
                for u in users
            )  # fmt: skip
            text = TEXTS[Purpose.MATCHING_SENSITIVE]
            consenting = {u.pk for u in users if rng.random() < 0.7}
            ConsentRecord.objects.bulk_create(
                ConsentRecord(user_id=pk, purpose=text.purpose, given=True, method="questionnaire",
                              text_version=text.version, text_sha256=text.sha256)
                for pk in consenting
            )  # fmt: skip
            answers = []
            for profile in profiles:
                values = [rng.sample(topics, 3), rng.choice("abcde"), rng.randint(1, 5),
                          rng.choice("fmx")]  # fmt: skip
                # A sensitive answer is stored only with consent.
                asked = questions if profile.user_id in consenting else questions[:3]
                answers += [
                    Answer(profile=profile, question=q, user_id=profile.user_id, value=v)
                    for q, v in zip(asked, values, strict=False)
                ]
            Answer.objects.bulk_create(answers, batch_size=2000)
    return program, admin


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "postgresql": server,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }  # fmt: skip


def main() -> None:
    setup()
    from django.contrib.auth import get_user_model

    from mentorhaven.kernel import vault
    from mentorhaven.matching.adapters import load_program
    from mentorhaven.matching.selectors import suggestions_for
    from mentorhaven.matching.services import match_run_create

    program, admin = fill_program()
    size = {"mentees": MENTEES, "mentors": MENTORS, "capacity": 5}
    vault.forget_cached_keys()
    data, seconds = timed(
        lambda: load_program(program, reader=None, purpose="Run matching for a program")
    )
    cases = [
        {
            "name": "match_load_program",
            **size,
            "seconds": round(seconds, 3),
            "answers_decrypted": sum(len(p.answers) for p in data.mentees + data.mentors),
        }
    ]
    run, seconds = timed(lambda: match_run_create(actor=admin, program=program))
    cases.append({"name": "match_run_create", **size, "seconds": round(seconds, 3),
                  "method": run.method, "total": round(run.total, 3),
                  "coverage": round(run.coverage, 4), "greedy_total": round(run.greedy_total, 3),
                  "greedy_coverage": round(run.greedy_coverage, 4)})  # fmt: skip
    mentee = get_user_model().objects.get(email=f"mentee0@{SLUG}.bench")
    found, seconds = timed(lambda: suggestions_for(viewer=mentee, program=program))
    cases.append({"name": "match_suggestions", **size, "seconds": round(seconds, 3),
                  "suggested": len(found)})  # fmt: skip
    for case in cases:
        case["machine"] = machine()
        print(json.dumps(case), flush=True)


if __name__ == "__main__":
    main()
