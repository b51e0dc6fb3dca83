"""``mentorhaven messaging digest``: the messaging app's periodic work.

* ``digest`` e-mails people who chose daily notification e-mails (at most once a day) and
  catches up immediate e-mails that failed. The e-mails never carry content.

Idempotent; the scheduler runs it hourly (``messaging/schedules.py``). Old conversations are
deleted by ``mentorhaven retention sweep``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mentorhaven.messaging.tasks import send_digests


class Command(BaseCommand):
    help = "Messaging: send notification e-mail digests."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("digest", help="send due notification e-mails")

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"notification e-mails sent: {send_digests()}")
