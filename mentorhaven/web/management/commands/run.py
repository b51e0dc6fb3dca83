"""``mentorhaven run``: the whole site for development, as ``make run`` starts it.

Starts its child processes and keeps them together: the web server (uvicorn, HTTP and
WebSockets, listening on 127.0.0.1:8000 unless told otherwise, announced as
http://localhost:8000: passkeys (WebAuthn) accept a localhost origin over plain HTTP, never an
IP address), the audit sealer (``mentorhaven audit
sealer``: seals, checkpoints and anchors the audit log), the scheduler (``mentorhaven schedule
run``: retention, reminders, digests when they are due) and the task worker (``mentorhaven
worker``, when tasks go through a queue: the database's, or Redis's with ``TASK_BACKEND=rq``).
Ctrl-C or SIGTERM stops them all; if one of them stops by itself, the others are stopped too
and the command exits with an error, so nothing keeps running half-configured. While no
organization exists it prints a one-time set-up token for the first-run page (``mentorhaven
setup-token``). Production runs the same processes as separate services (docs/operations.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.programs.management.commands.setup_token import setup_message
from mentorhaven.programs.models import Organization
from mentorhaven.programs.services import setup_token_issue

STOP_TIMEOUT = 15.0


def children(host: str, port: int) -> list[tuple[str, list[str]]]:
    python = sys.executable
    # Our request log (web/request_log.py) redacts tokens; the server's own access log would not.
    web = [
        "-m",
        "uvicorn",
        "mentorhaven.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
    ]
    found = [
        ("web server", [python, *web]),
        ("audit sealer", [python, "-m", "mentorhaven.cli", "audit", "sealer"]),
        ("scheduler", [python, "-m", "mentorhaven.cli", "schedule", "run"]),
    ]
    if settings.TASK_BACKEND in ("database", "rq"):
        found.append(("task worker", [python, "-m", "mentorhaven.cli", "worker"]))
    return found


def browser_address(host: str, port: int) -> str:
    """The address to open: ``localhost`` for a loopback server, since browsers allow passkeys
    on http://localhost but not on http://127.0.0.1."""
    if host in ("127.0.0.1", "::1", "localhost", "0.0.0.0"):  # noqa: S104 (a name, not a bind)
        host = "localhost"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Run the web server, audit sealer, scheduler and task worker together (development)."
    requires_system_checks = []  # each child runs its own

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        running: list[tuple[str, subprocess.Popen[bytes]]] = []
        failed = ""
        try:
            for name, argv in children(options["host"], options["port"]):
                running.append((name, subprocess.Popen(argv)))  # noqa: S603 (our own commands)
            names = ", ".join(name for name, _ in running)
            self.stdout.write(f"started {names}; Ctrl-C stops them all")
            self.stdout.write(f"MentorHaven: {browser_address(options['host'], options['port'])}")
            self._print_setup_token()
            self.stdout.flush()
            while not stop.wait(0.5):
                ended = [name for name, proc in running if proc.poll() is not None]
                if ended:
                    failed = ended[0]
                    break
        finally:
            self._stop_all(running)
        if failed:
            raise CommandError(f"the {failed} stopped; the others were stopped too")
        self.stdout.write("stopped")

    def _print_setup_token(self) -> None:
        try:
            if not Organization.objects.exists():
                self.stdout.write(setup_message(setup_token_issue()))
        except (DatabaseError, ApplicationError):  # not migrated yet, or set up meanwhile
            return

    def _stop_all(self, running: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
        for _name, proc in running:
            if proc.poll() is None:
                proc.terminate()
        for name, proc in running:
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"the {name} did not stop in {STOP_TIMEOUT:.0f} s: killed")
                proc.kill()
                proc.wait()
