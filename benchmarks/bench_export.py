"""A data export of a very active person: time and memory.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_export.py`` prints one JSON
line. By default it uses a scratch SQLite file; ``--database-url postgres://…/name`` drops,
creates and migrates that PostgreSQL database instead (give it a scratch one: it is destroyed).

The person (issue 10): a mentee with 50,000 messages in her conversation (half hers, half her
mentor's), 2,000 session notes (half shared by her mentor) and 100 files of 100 KB (10 MB),
all sealed under their authors' keys as the services store them. Messages and notes are inserted
in bulk through the ORM (their encrypted fields seal each row as ``save`` would); files go
through ``file_upload`` (inspection, sealing, audit).

What is timed: ``export_request`` with the task run at once (``TASK_BACKEND=immediate``): the
job row, the background build (every section read in batches and decrypted, JSON and HTML
written into a ZIP, files decrypted into it, the manifest signed), sealing the archive as it is
written and storing it, and the audit events. Goal: at most 60 s.

Memory: this process's resident set is sampled every 20 ms during the build; ``rss_growth_mb``
is its peak minus its size just before. It is measured for the full person and for one with a
tenth of everything (``small``): flat memory means the two growths are about the same, not ten
times apart.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GOAL_SECONDS = 60


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    def __init__(self):
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.02)

    def __enter__(self):
        self.start = _rss_mb()
        self.peak = self.start
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def setup(database_url: str | None) -> None:
    os.environ.setdefault("MENTORHAVEN_ENV", "test")
    os.environ["TASK_BACKEND"] = "immediate"
    scratch = tempfile.mkdtemp(prefix="mh-bench-export-")
    os.environ.setdefault("MENTORHAVEN_AUDIT_ANCHOR_DIR", os.path.join(scratch, "anchors"))
    os.environ.setdefault("MENTORHAVEN_VAR_DIR", scratch)
    if database_url:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_messages import recreate_database

        recreate_database(database_url)
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": os.path.join(scratch, "media")},
        },
    }
    call_command("migrate", verbosity=0)


def person(index: int, *, messages: int, notes: int, files: int, file_bytes: int):
    """A mentee and her mentor in an active relationship, with that much content."""
    from django.db import transaction

    from mentorhaven.accounts.models import User
    from mentorhaven.files.services import file_upload
    from mentorhaven.mentoring.models import Note
    from mentorhaven.mentoring.services import relationship_accept, relationship_propose
    from mentorhaven.messaging.models import Conversation, Message
    from mentorhaven.messaging.services import conversation_for_relationship
    from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program

    org = Organization.objects.create(name=f"Bench {index}", slug=f"bench-export-{index}")
    program = Program.objects.create(organization=org, name="Bench", slug=f"bench-ex-{index}")
    admin, mentor, mentee = (
        User.objects.create_user(email=f"{n}{index}@bench.test", display_name=n)
        for n in ("admin", "mentor", "mentee")
    )
    for user in (admin, mentor, mentee):
        OrgMembership.objects.create(organization=org, user=user)
    for user, role in ((admin, "program_admin"), (mentor, "mentor"), (mentee, "mentee")):
        Membership.objects.create(program=program, user=user, role=role)
    rel = relationship_propose(actor=admin, program=program, mentee=mentee, mentor=mentor)
    relationship_accept(actor=mentee, relationship=rel)
    rel = relationship_accept(actor=mentor, relationship=rel)
    conversation = conversation_for_relationship(actor=mentee, relationship=rel)
    batch = 2000
    for start in range(0, messages, batch):
        rows = [
            Message(
                public_id=uuid.uuid4(),
                conversation=conversation,
                seq=n + 1,
                author=mentee if n % 2 == 0 else mentor,
                body=f"Message {n}: could we go over the plan for the quarter once more?",
            )
            for n in range(start, min(messages, start + batch))
        ]
        with transaction.atomic():
            Message.objects.bulk_create(rows)
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=messages)
    for start in range(0, notes, batch):
        rows = [
            Note(
                public_id=uuid.uuid4(),
                relationship=rel,
                author=mentee if n % 2 == 0 else mentor,
                shared=n % 2 == 1,
                body=f"Note {n}: what we agreed, what is next, and what still worries me.",
            )
            for n in range(start, min(notes, start + batch))
        ]
        with transaction.atomic():
            Note.objects.bulk_create(rows)
    line = b"A line of the plan, with enough words to look like a real document.\n"
    content = (line * (file_bytes // len(line) + 1))[:file_bytes]
    for n in range(files):
        file_upload(
            actor=mentee, fileobj=io.BytesIO(content), declared_name=f"plan-{n}.txt",
            relationship=rel,
        )  # fmt: skip
    return mentee


def _checked(job) -> dict:
    """Open the stored archive as its owner would (outside the timing): the signed manifest
    verifies, and every message and file is in it."""
    import zipfile

    from mentorhaven.privacy.building import archive_store
    from mentorhaven.privacy.export import verify_archive

    with tempfile.TemporaryFile() as copy:
        for chunk in archive_store().open(
            subject=job.user, name=job.storage_name, binding=job.archive_binding()
        ):
            copy.write(chunk)
        copy.seek(0)
        verified = verify_archive(copy)
        copy.seek(0)
        with zipfile.ZipFile(copy) as archive:
            messages = json.loads(archive.read("data/messages.json"))["records"]
            files = [n for n in archive.namelist() if n.startswith("files/")]
    assert verified.ok, verified.problems
    assert messages[0]["text"].startswith("Message 0:"), messages[0]
    return {"exported_messages": len(messages), "exported_files": len(files), "verified": True}


def measure(user) -> dict:
    from mentorhaven.privacy.models import ExportJob
    from mentorhaven.privacy.services import export_request

    started, cpu = time.perf_counter(), time.process_time()
    with PeakRss() as rss:
        job = export_request(actor=user)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == ExportJob.Status.READY, job.status
    return {
        **_checked(job),
        "seconds": round(seconds, 2),
        # This process's CPU time: on a shared machine, what the build itself cost.
        "cpu_seconds": round(cpu, 2),
        "archive_mb": round(job.size / 2**20, 1),
        "rss_before_mb": round(rss.start, 1),
        "rss_peak_mb": round(rss.peak, 1),
        "rss_growth_mb": round(rss.peak - rss.start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (destroyed)")
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--notes", type=int, default=2_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--file-bytes", type=int, default=100 * 1024)
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection

    size = {"messages": args.messages, "notes": args.notes, "files": args.files}
    small = person(1, **{k: v // 10 for k, v in size.items()}, file_bytes=args.file_bytes)
    full = person(2, **size, file_bytes=args.file_bytes)
    small_result = measure(small)
    full_result = measure(full)
    print(
        json.dumps(
            {
                "benchmark": "export",
                "database": connection.vendor,
                **size,
                "files_mb": round(args.files * args.file_bytes / 2**20, 1),
                **full_result,
                "small": small_result,
                "goal_seconds": GOAL_SECONDS,
                "ok": full_result["seconds"] <= GOAL_SECONDS,
            }
        )
    )


if __name__ == "__main__":
    main()
