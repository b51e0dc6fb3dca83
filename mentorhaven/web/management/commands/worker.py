"""``mentorhaven worker``: run background tasks for the configured task backend.

One command for every deployment, so the systemd unit and ``mentorhaven run`` never need to know
which queue is in use: ``TASK_BACKEND=database`` runs the database queue's worker, ``rq`` runs
an RQ worker on Redis (with the job class that executes Django tasks). Several workers may run at
once, on one machine or many: each task is taken by exactly one of them. A worker starting up
first queues again the exports a killed worker left half-built (privacy.services).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a background task worker for the configured task backend (TASK_BACKEND)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="Run the tasks waiting now, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASK_BACKEND
        # Work a killed worker left half-done is queued again before this one starts taking
        # tasks (the scheduler also does it every 2 minutes: privacy.resume_exports).
        from mentorhaven.privacy.services import exports_resume_stranded

        if backend in ("rq", "database"):
            exports_resume_stranded()
        if backend == "rq":
            extra = {"burst": True} if options["burst"] else {}
            call_command(
                "rqworker", *settings.TASK_QUEUES, job_class="django_tasks_rq.Job", **extra
            )
        elif backend == "database":
            call_command("db_worker", batch=options["burst"])
        else:
            raise CommandError(
                f"TASK_BACKEND={backend} runs each task in the process that enqueues it; "
                "there is nothing for a worker to do."
            )
