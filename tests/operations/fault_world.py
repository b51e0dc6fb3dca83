"""Run in a production-mode process (``python -m tests.operations.fault_world COMMAND ...``) for
the fault tests (tests/operations/test_faults.py); prints one JSON line.

* ``export`` — a mentee with a year's worth of messages, notes and files, and a data export she
  asked for (queued for the task worker).
* ``verify-export JOB`` — the export is ready, its signed manifest verifies and every message is
  in it.
* ``retention N`` — N messages of ended relationships, all past their retention period, and an
  active relationship's 100 messages.
* ``audit-burst N`` — N audit events, each in its own transaction (what the sealer chains).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MESSAGES = 20_000


def _bench_export():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_export

    return bench_export


def export() -> dict:
    from mentorhaven.privacy.services import export_request

    mentee = _bench_export().person(0, messages=MESSAGES, notes=1_000, files=20, file_bytes=100_000)
    job = export_request(actor=mentee)
    return {"job": job.pk, "messages": MESSAGES}


def verify_export(job_id: int) -> dict:
    """The export benchmark's own check: the signed manifest verifies, every message is in."""
    from mentorhaven.privacy.models import ExportJob

    job = ExportJob.objects.select_related("user").get(pk=job_id)
    checked = _bench_export()._checked(job)
    return {
        "status": job.status,
        "verified": checked["verified"],
        "messages": checked["exported_messages"],
    }


def retention(messages: int) -> dict:
    """The retention benchmark's world, smaller: ended relationships (25 months ago) whose
    messages are all due, and one active relationship whose 100 messages must stay."""
    import os

    os.environ["BENCH_RETENTION_MESSAGES"] = str(messages)
    os.environ["BENCH_RETENTION_RELATIONSHIPS"] = "50"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_retention import build_world

    active, due = build_world()
    return {"due": due, "conversation": active.conversation.pk}


def audit_burst(count: int) -> dict:
    from django.db import transaction

    from mentorhaven.accounts.models import User
    from mentorhaven.kernel import audit

    user = User.objects.create_user(email=f"burst{User.objects.count()}@faults.test")
    for _ in range(count):
        with transaction.atomic():
            audit.record(
                action="session.end",
                actor=user,
                target=user,
                subject=user,
                purpose="fault test",
                extra={"count": 1},
            )
    return {"recorded": count}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, *args = argv
    if command == "export":
        result = export()
    elif command == "verify-export":
        result = verify_export(int(args[0]))
    elif command == "retention":
        result = retention(int(args[0]))
    elif command == "audit-burst":
        result = audit_burst(int(args[0]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
