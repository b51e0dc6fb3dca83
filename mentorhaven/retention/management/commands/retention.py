"""``mentorhaven retention sweep [--dry-run] [--batch-size N]``: delete what is past its
retention period (see ``retention/services.py`` for the policy).

The scheduler runs the same sweep daily (``retention/schedules.py``); run it by hand to catch up
or, with ``--dry-run``, to see what a run would delete now (nothing is deleted or recorded).
Idempotent and safe to re-run after a crash: each batch commits on its own.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mentorhaven.retention.services import DEFAULT_BATCH, retention_sweep


class Command(BaseCommand):
    help = "Retention: delete records past their retention period (legal holds excepted)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="delete what is past its retention period")
        sweep.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
        sweep.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        result = retention_sweep(dry_run=options["dry_run"], batch_size=options["batch_size"])
        verb = "would delete" if result.dry_run else "deleted"
        for kind, count in result.deleted.items():
            self.stdout.write(f"{kind}: {verb} {count}")
