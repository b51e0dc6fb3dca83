"""``mentorhaven audit keygen|seal|sealer|checkpoint|verify``: the operator's side of the log.

* ``keygen FILE [--rotate]`` writes an Ed25519 signing key (mode 0600) for
  ``MENTORHAVEN_AUDIT_SIGNING_KEY_FILE``. It never overwrites a key; ``--rotate`` keeps the old
  key's public half so older checkpoints stay verifiable.
* ``seal`` numbers and chains the pending events (normally done right after each commit).
* ``sealer`` (PostgreSQL) runs until stopped (SIGTERM or Ctrl-C), sealing what each recording
  commit leaves pending; while it runs, requests skip their own sealing turn. Run one per
  database, as a service next to the web processes; a second one waits as a stand-by.
* ``checkpoint`` seals, then signs the current tail of the log (idempotent; run it from cron or
  the task).
* ``verify [--no-seal]`` seals, then recomputes the chain and the checkpoint signatures. Exit 0
  and the event count when everything checks out; exit 1 naming the first bad sequence number
  otherwise. Events left pending for long are reported as a warning on stderr.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mentorhaven.kernel import audit


class Command(BaseCommand):
    help = "Audit log: generate a signing key, sign a checkpoint, or verify the whole chain."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="write a new Ed25519 signing key file (0600)")
        keygen.add_argument("file")
        keygen.add_argument("--rotate", action="store_true", help="replace the key in FILE")
        sub.add_parser("seal", help="number and chain the pending events")
        sub.add_parser("sealer", help="keep sealing as events are recorded (PostgreSQL)")
        sub.add_parser("checkpoint", help="seal, then sign the current tail of the log")
        verify = sub.add_parser("verify", help="recompute the chain and check every checkpoint")
        verify.add_argument(
            "--no-seal", action="store_true", help="check without sealing pending events first"
        )

    def handle(self, *args, **options) -> None:
        action = options["action"]
        try:
            if action == "keygen":
                kid = audit.generate_key_file(Path(options["file"]), rotate=options["rotate"])
                self.stdout.write(f"audit signing key {kid} written to {options['file']} (0600)")
            elif action == "seal":
                self.stdout.write(f"{audit.seal()} pending audit events sealed")
            elif action == "sealer":
                self._sealer()
            elif action == "checkpoint":
                cp = audit.checkpoint()
                if cp is None:
                    self.stdout.write("audit log is empty: nothing to sign")
                else:
                    self.stdout.write(f"checkpoint at event {cp.seq} signed by key {cp.key_id}")
            else:
                self._verify(seal_first=not options["no_seal"])
        except audit.AuditError as exc:
            raise CommandError(str(exc)) from exc

    def _sealer(self) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "the audit sealer needs PostgreSQL (SQLite seals every event inline)"
            )
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("audit sealer started (stop it with SIGTERM or Ctrl-C)")
        self.stdout.flush()
        audit.run_sealer(stop=stop)
        self.stdout.write("audit sealer stopped")

    def _verify(self, *, seal_first: bool) -> None:
        result = audit.verify(seal_first=seal_first)
        if result.stale_pending:
            self.stderr.write(
                f"WARNING: {result.stale_pending} event(s) still unsealed after "
                f"{audit.PENDING_GRACE_SECONDS} s: is anything sealing them? Run `audit seal`."
            )
        if not result.ok:
            raise CommandError(
                f"audit log verification FAILED at event {result.bad_seq}: {result.reason} "
                f"({result.count} events before it check out)",
                returncode=1,
            )
        self.stdout.write(
            f"audit log OK: {result.count} events, {result.checkpoints} signed checkpoints"
        )
