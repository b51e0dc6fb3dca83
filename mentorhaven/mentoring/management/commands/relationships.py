"""``mentorhaven relationships idle|reminders``: the mentoring app's periodic sweeps.

* ``idle`` nudges both people in relationships without activity for the program's
  ``idle_days`` (default 21), and ends them with reason "idle" when the program sets
  ``auto_close_idle_days`` and the nudge went unanswered that long.
* ``reminders`` e-mails both participants of meetings starting within 24 hours, once.

Both are idempotent: run them from cron as often as you like (see ``mentoring/tasks.py``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mentorhaven.mentoring.tasks import send_meeting_reminders, sweep_idle_relationships


class Command(BaseCommand):
    help = "Mentoring sweeps: nudge or close idle relationships, send meeting reminders."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("idle", help="nudge idle relationships; auto-close where configured")
        sub.add_parser("reminders", help="remind people of meetings in the next 24 hours")

    def handle(self, *args, **options) -> None:
        if options["action"] == "idle":
            sweep = sweep_idle_relationships()
            self.stdout.write(f"idle relationships: {sweep.warned} nudged, {sweep.closed} closed")
        else:
            sent = send_meeting_reminders()
            self.stdout.write(f"meeting reminders sent: {sent}")
