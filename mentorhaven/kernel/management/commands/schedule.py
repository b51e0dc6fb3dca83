"""``mentorhaven schedule run|run-once|list``: the periodic jobs that apps register in their
``schedules.py`` (see ``kernel/schedule.py``).

* ``run`` keeps running and starts each job when it is due (``mentorhaven run`` starts it beside
  the web server; production runs it as a service, restarted if it stops). Two of them are
  harmless: each due run is claimed by exactly one process.
* ``run-once`` does one turn: the jobs due now (or ``--job NAME``, due or not), then exits.
* ``list`` shows every job, its cadence, its last run and when it is next due.

SIGTERM or Ctrl-C stops ``run`` between jobs; a job interrupted by a kill is run again when
its lease lapses (every job is idempotent).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentorhaven.kernel import schedule


class Command(BaseCommand):
    help = "Run the periodic jobs (retention, reminders, digests) when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="keep running; start each job when it is due")
        run.add_argument("--interval", type=float, default=settings.SCHEDULE_POLL_SECONDS)
        once = sub.add_parser("run-once", help="run the jobs due now, then exit")
        once.add_argument("--job", help="run this job now, due or not")
        sub.add_parser("list", help="each job, its cadence, last run and next due time")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list()
        elif action == "run-once":
            self._once(options.get("job"))
        else:
            self._run(options["interval"])

    def _list(self) -> None:
        for job, row in schedule.status():
            last = "never"
            if row and row.last_finished_at:
                last = f"{row.last_finished_at:%Y-%m-%d %H:%M} {row.last_status or '-'}"
                if row.last_error:
                    last += f" ({row.last_error})"
            due = f"{row.next_run_at:%Y-%m-%d %H:%M}" if row else "on the first turn"
            self.stdout.write(f"{job.name:32} {job.cadence:24} last: {last:28} next: {due}")

    def _once(self, name: str | None) -> None:
        if name:
            try:
                job = schedule.get(name)
            except LookupError as exc:
                raise CommandError(str(exc)) from None
            ran = [job.name] if schedule.run_job(job, force=True) else []
        else:
            ran = schedule.run_due()
        self.stdout.write(f"ran: {', '.join(ran) or 'nothing due'}")

    def _run(self, interval: float) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        names = ", ".join(j.name for j in schedule.jobs())
        self.stdout.write(f"scheduler: {names}")
        self.stdout.flush()
        while not stop.is_set():
            for job in schedule.jobs():
                if stop.is_set():
                    break
                schedule.run_job(job)
            stop.wait(interval)
