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

``--case large`` (issue 14, not part of ``make bench``: seeding takes about 11 minutes):
``match_run_create_50000x10000_cap5``, the same "Run matching" service on a program of
``BENCH_LARGE_MENTEES`` x ``BENCH_LARGE_MENTORS`` (default 50,000 x 10,000, capacity 5), seeded
once like the default program (its own slug; seeding is not timed), which the product runs by
the block method. It prints the seconds of each phase (loading and decrypting the answers,
preparing and scoring, the auction, the certificate, explaining the chosen pairs, writing the
encrypted draft), the peak resident memory of the process and the certified gap to the optimum,
next to the goals: <= 60 s, <= 4 GB, within 0.5 %. The phases are timed by wrapping the
functions the service calls (same arguments, same results).

The pure scorer and assigner at large sizes are measured by ``bench_matching.py``.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mh_bench_match"
MENTEES = int(os.environ.get("BENCH_MENTEES", "1000"))
MENTORS = int(os.environ.get("BENCH_MENTORS", "200"))
LARGE_MENTEES = int(os.environ.get("BENCH_LARGE_MENTEES", "50000"))
LARGE_MENTORS = int(os.environ.get("BENCH_LARGE_MENTORS", "10000"))


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


def fill_program(mentees: int = MENTEES, mentors: int = MENTORS):
    """The program, created once; later runs reuse it (filling is slow, reading is measured)."""
    from django.db import transaction

    from mentorhaven.accounts.models import User
    from mentorhaven.consent.domain import TEXTS, Purpose
    from mentorhaven.consent.models import ConsentRecord
    from mentorhaven.matching.models import Answer, Profile
    from mentorhaven.matching.services import question_create
    from mentorhaven.programs.models import Membership, Organization, Program

    slug = f"bench-{mentees}x{mentors}"
    existing = Program.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, User.objects.get(email=f"admin@{slug}.bench")
    rng = random.Random(7)
    with transaction.atomic():
        org = Organization.objects.create(name=slug, slug=slug)
        program = Program.objects.create(organization=org, name=slug, slug=slug)
        admin = User.objects.create_user(email=f"admin@{slug}.bench", password=None)
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
        for role, count in (("mentee", mentees), ("mentor", mentors)):
            users = User.objects.bulk_create(
                User(email=f"{role}{i}@{slug}.bench", display_name=f"{role} {i}")
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
    from benchmarks.dbstats import analyze

    analyze()  # as autovacuum would on a running site (benchmarks/dbstats.py)
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
    slug = program.slug
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
    mentee = get_user_model().objects.get(email=f"mentee0@{slug}.bench")
    found, seconds = timed(lambda: suggestions_for(viewer=mentee, program=program))
    cases.append({"name": "match_suggestions", **size, "seconds": round(seconds, 3),
                  "suggested": len(found)})  # fmt: skip
    for case in cases:
        case["machine"] = machine()
        print(json.dumps(case), flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wrap_timed(owner, name: str, seconds: dict[str, float], key: str, **extra) -> None:
    """Time every call of ``owner.name`` into ``seconds[key]``; ``extra`` keyword arguments
    are passed along (the block method's ``timings``)."""
    original = getattr(owner, name)

    def timed_call(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs, **extra)
        finally:
            seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - start

    setattr(owner, name, timed_call)


def case_large() -> dict:
    """The admin's "Run matching" on a program past the dense limit, phase by phase."""
    setup()
    from django.db import connection

    from mentorhaven.kernel import vault
    from mentorhaven.matching import scoring
    from mentorhaven.matching.assignment import program as program_match
    from mentorhaven.matching.services import match_run_create
    from mentorhaven.matching.services import runs as run_service

    start = time.perf_counter()
    program, admin = fill_program(LARGE_MENTEES, LARGE_MENTORS)
    seeding = time.perf_counter() - start
    seconds: dict[str, float] = {}
    steps: dict[str, float] = {}
    wrap_timed(run_service, "load_program", seconds, "load")
    wrap_timed(scoring, "run_program", seconds, "run_program")
    wrap_timed(program_match, "ScoreBlocks", seconds, "preparing")
    wrap_timed(program_match, "assign_blocks", seconds, "assign", timings=steps)
    vault.forget_cached_keys()
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    run = match_run_create(actor=admin, program=program)
    total = time.perf_counter() - start
    peak = peak_rss_mb()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM matching_matchpair WHERE run_id = %s", [run.pk])
        pairs = cursor.fetchone()[0]
    run_seconds = seconds.get("run_program", 0.0)
    matching = seconds.get("preparing", 0.0) + seconds.get("assign", 0.0)
    gap = run.optimality_gap
    return {
        "name": f"match_run_create_{LARGE_MENTEES}x{LARGE_MENTORS}_cap5",
        "mentees": run.mentees,
        "mentors": run.mentors,
        "capacity": 5,
        "method": run.method,
        "seconds_total": round(total, 2),
        "seconds_load_and_decrypt": round(seconds.get("load", 0.0), 2),
        "seconds_preparing": round(seconds.get("preparing", 0.0), 2),
        "seconds_scoring": round(steps.get("scoring", 0.0), 2),
        "seconds_auction": round(steps.get("auction", 0.0), 2),
        "seconds_certificate": round(steps.get("certificate", 0.0), 2),
        "seconds_explaining": round(run_seconds - matching, 2),
        "seconds_writing_draft": round(total - seconds.get("load", 0.0) - run_seconds, 2),
        "rounds": steps.get("rounds"),
        "cells_scored_again": steps.get("cells_scored_again"),
        "pairs": pairs,
        "coverage": round(run.coverage, 4),
        "gap_of_bound": gap,
        "greedy_total": run.greedy_total,  # None: not computed on the block method
        "peak_rss_mb": round(peak, 1),
        "rss_before_run_mb": round(rss_before, 1),
        # Seeding in this process (the first run) raises the peak before the run starts.
        "seeded_in_this_process": seeding > 5.0,
        "cpu_seconds": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        "target_seconds": 60,
        "target_peak_mb": 4096,
        "target_gap": 0.005,
        "meets_targets": total <= 60 and peak <= 4096 and gap is not None and gap <= 0.005,
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["--case", "large"]:
        result = case_large()
        result["machine"] = machine()
        print(json.dumps(result), flush=True)
    else:
        main()
