"""``mentorhaven audit keygen|seal|sealer|checkpoint|verify``: the operator's side of the log.

* ``keygen FILE [--rotate]`` writes an Ed25519 signing key (mode 0600) for
  ``MENTORHAVEN_AUDIT_SIGNING_KEY_FILE``. It never overwrites a key; ``--rotate`` keeps the old
  key's public half so older checkpoints stay verifiable.
* ``sealer`` is the audit service: it runs until stopped (SIGTERM or Ctrl-C), sealing what
  every recording commit leaves pending, signing a checkpoint every ``AUDIT_CHECKPOINT_EVERY``
  events or ``AUDIT_CHECKPOINT_SECONDS`` seconds, and anchoring each outside the database. Run
  one per database, next to the web processes (``mentorhaven run`` does in development).
* ``seal`` seals what is pending once (what the sealer does continuously).
* ``checkpoint`` seals, then signs and anchors the current head of the log (idempotent).
* ``verify [--no-seal]`` seals, then recomputes the chain and checks it against every signed
  checkpoint and the anchor store. Exit 0 and the event count when everything checks out; exit 1
  naming the first bad sequence number otherwise. Warnings (events left pending, an anchor store
  that stopped moving) go to stderr.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentorhaven.kernel import audit


class Command(BaseCommand):
    help = "Audit log: generate a signing key, run the sealer, sign a checkpoint, or verify."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="write a new Ed25519 signing key file (0600)")
        keygen.add_argument("file")
        keygen.add_argument("--rotate", action="store_true", help="replace the key in FILE")
        sub.add_parser("seal", help="number and chain the pending events once")
        sub.add_parser(
            "sealer", help="the audit service: seal, checkpoint and anchor, until stopped"
        )
        sub.add_parser("checkpoint", help="seal, then sign and anchor the head of the log")
        verify = sub.add_parser("verify", help="check the chain, its checkpoints and anchors")
        verify.add_argument(
            "--no-seal", action="store_true", help="check without sealing pending events first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
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
        from mentorhaven.kernel.audit.keys import key_ring

        key_ring()  # fail now, loudly, when the signing key is missing or unreadable
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
                f"{audit.PENDING_GRACE_SECONDS} s: is the audit sealer running?"
            )
        for warning in result.warnings:
            self.stderr.write(f"WARNING: {warning}")
        if not result.ok:
            raise CommandError(
                f"audit log verification FAILED at event {result.bad_seq}: {result.reason} "
                f"({result.count} events before it check out)",
                returncode=1,
            )
        self.stdout.write(
            f"audit log OK: {result.count} events, {result.checkpoints} signed checkpoints, "
            f"{result.anchors} anchored"
        )
