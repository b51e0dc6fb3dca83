"""``mentorhaven messaging digest|retention``: the messaging app's periodic work.

* ``digest`` e-mails people who chose daily notification e-mails (at most once a day) and
  catches up immediate e-mails that failed. The e-mails never carry content.
* ``retention`` deletes relationship conversations whose archive period
  (``MESSAGING_ARCHIVE_RETENTION_DAYS`` after the relationship ended) is over.

Both are idempotent: run them from cron (e.g. digest hourly, retention daily).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mentorhaven.messaging.tasks import send_digests, sweep_archives


class Command(BaseCommand):
    help = "Messaging: send notification e-mail digests, delete expired archives."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("digest", help="send due notification e-mails")
        sub.add_parser("retention", help="delete conversations past their archive period")

    def handle(self, *args, **options) -> None:
        if options["action"] == "digest":
            self.stdout.write(f"notification e-mails sent: {send_digests()}")
        else:
            self.stdout.write(f"archived conversations deleted: {sweep_archives()}")
