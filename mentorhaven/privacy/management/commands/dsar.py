"""Data-subject requests, for operators.

``dsar erase EMAIL``
    Schedule the erasure of the person with that e-mail address after the grace period, as if
    they had asked. ``--now`` carries it out at once (audited as an operator's erasure). Safe to
    run again: an interrupted erasure resumes where it stopped.
``dsar process-due``
    Send due reminders and carry out every erasure whose grace period is over (the scheduled
    job, ``privacy.erasure.services.process_due_erasures``).

Subcommands are dispatched through ``HANDLERS`` (one function per subcommand) so that other
data-subject rights (export) add theirs beside these.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


def handle_erase(command: BaseCommand, *, email: str, now: bool, **options) -> None:
    from mentorhaven.privacy.erasure import services
    from mentorhaven.privacy.erasure.models import ErasureRequest

    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None or user.is_erased:
        raise CommandError("No account has that e-mail address.")
    if not now:
        request = services.erasure_request(actor=user, source=ErasureRequest.Source.OPERATOR)
        command.stdout.write(
            f"Erasure {request.public_id} scheduled for {request.due_at:%Y-%m-%d}."
        )
        return
    request = services.erasure_now(user=user)
    request = services.erasure_run(request=request)
    command.stdout.write(
        f"Erasure {request.public_id}: {request.status}, {len(request.steps_done)} steps done."
    )


def handle_process_due(command: BaseCommand, **options) -> None:
    from mentorhaven.privacy.erasure.services import process_due_erasures

    result = process_due_erasures()
    command.stdout.write(
        f"Reminders sent: {result['reminded']}; erasures completed: {result['completed']}."
    )


HANDLERS: dict[str, Callable[..., None]] = {
    "erase": handle_erase,
    "process-due": handle_process_due,
}


class Command(BaseCommand):
    help = "Data-subject requests: erase a person (now or after the grace period), process due."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        erase = sub.add_parser("erase", help="erase a person by e-mail address")
        erase.add_argument("email")
        erase.add_argument("--now", action="store_true", help="skip the grace period")
        sub.add_parser("process-due", help="send reminders and run erasures that are due")

    def handle(self, *args, action: str, **options):
        HANDLERS[action](self, **options)
