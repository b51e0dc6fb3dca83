"""Bulk invitation speed on PostgreSQL: CSV rows checked and written per second.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_invitations.py`` prints one
JSON line. It uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/mh_bench_inv``),
creates that scratch database if needed and migrates it. Each run makes a fresh organization.

Case ``invitations_import``: parse a CSV of ``BENCH_INVITE_ROWS`` rows (default 500) and import it
as an org admin in one transaction (every row checked, one invitation, one audit event and one
e-mail — to the in-memory outbox — per row). Also reports the time to reject the same file when
its last row is wrong (every row is still checked, nothing is written).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mh_bench_inv"
ROWS = int(os.environ.get("BENCH_INVITE_ROWS", "500"))


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
        sys.exit("bench_invitations measures PostgreSQL: DATABASE_URL must be postgres://…")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    setup()
    from django.core import mail
    from django.test.utils import setup_test_environment

    from mentorhaven.accounts.models import User
    from mentorhaven.programs.forms import parse_invitation_csv
    from mentorhaven.programs.models import Organization, OrgMembership, Program
    from mentorhaven.programs.services import ImportRejected, invitations_import

    setup_test_environment()  # e-mail goes to the in-memory outbox
    run = uuid.uuid4().hex[:10]
    org = Organization.objects.create(name=f"Bench {run}", slug=f"bench-{run}")
    Program.objects.create(organization=org, name="Bench", slug=f"bench-{run}")
    admin = User.objects.create_user(email=f"admin-{run}@bench.test", password=None)
    OrgMembership.objects.create(organization=org, user=admin, role=OrgMembership.Role.ORG_ADMIN)

    def csv_text(tag: str, bad_last: bool = False) -> bytes:
        lines = ["email,role,program,display_name"]
        for i in range(ROWS):
            role = "wizard" if bad_last and i == ROWS - 1 else "mentee"
            lines.append(f"p{i}-{tag}-{run}@bench.test,{role},bench-{run},Person {i}")
        return "\n".join(lines).encode()

    started = time.perf_counter()
    rows = parse_invitation_csv(csv_text("bad", bad_last=True))
    try:
        invitations_import(actor=admin, organization=org, rows=rows)
    except ImportRejected as rejected:
        assert len(rejected.errors) == 1
    else:
        raise AssertionError("the file with a bad last row was accepted")
    reject_seconds = time.perf_counter() - started

    mail.outbox = []
    started = time.perf_counter()
    rows = parse_invitation_csv(csv_text("ok"))
    created = invitations_import(actor=admin, organization=org, rows=rows)
    import_seconds = time.perf_counter() - started
    assert len(created) == ROWS and len(mail.outbox) == ROWS

    print(
        json.dumps(
            {
                "name": "invitations_import",
                "rows": ROWS,
                "import_seconds": round(import_seconds, 3),
                "rows_per_second": round(ROWS / import_seconds, 1),
                "reject_seconds": round(reject_seconds, 3),
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
