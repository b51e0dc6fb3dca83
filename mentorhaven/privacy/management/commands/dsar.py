"""``mentorhaven dsar <subcommand>``: data-subject requests handled by an operator.

* ``export EMAIL --out FILE`` writes the person's export (the same archive they can download
  themselves) to FILE, for a request received by mail or post; audited as ``export.operator``.
* ``verify-export FILE`` checks an export's signed manifest and every file in it; exit status 1
  when anything does not match.
* ``expire-exports`` deletes archives past their retention period (7 days unless the
  organizations chose 1-30; idempotent; the scheduler runs it hourly).
* ``erase EMAIL [--now]`` schedules the person's erasure after the grace period, as if they had
  asked; ``--now`` carries it out at once (audited as ``erasure.operator``). Safe to run again:
  an interrupted erasure resumes where it stopped.
* ``process-due`` sends due reminders and carries out every erasure whose grace period is over
  (the scheduled job, ``privacy.erasure.services.process_due_erasures``).

Other data-subject subcommands add themselves to ``SUBCOMMANDS``: a name, a help line, a
function adding its arguments and a handler ``(command, options) -> None``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mentorhaven.kernel.errors import ApplicationError


@dataclass(frozen=True)
class Subcommand:
    help: str
    arguments: Callable[[Any], None]
    handle: Callable[[BaseCommand, dict], None]


def _export_arguments(parser) -> None:
    parser.add_argument("email", help="the person's e-mail address")
    parser.add_argument("--out", required=True, help="the ZIP file to write (must not exist)")


def _export(command: BaseCommand, options: dict) -> None:
    from mentorhaven.privacy.services import export_for_operator

    out = Path(options["out"])
    try:
        # Created new with mode 0600: the archive holds the person's data in clear.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{out} already exists; choose a new file") from None
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            written = export_for_operator(email=options["email"], out=handle)
    except ApplicationError as error:
        out.unlink(missing_ok=True)
        raise CommandError(error.message) from None
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    command.stdout.write(
        f"wrote {out}: {written['records']} records, {written['files']} files (audited)"
    )


def _verify_arguments(parser) -> None:
    parser.add_argument("file", help="the export's ZIP file")


def _verify(command: BaseCommand, options: dict) -> None:
    from mentorhaven.privacy.export import verify_archive

    result = verify_archive(options["file"])
    if not result.ok:
        for problem in result.problems:
            command.stderr.write(problem)
        raise CommandError("the export does NOT match its signed manifest")
    command.stdout.write(f"ok: signature valid, {result.files} files match the manifest")


def _expire(command: BaseCommand, options: dict) -> None:
    from mentorhaven.privacy.services import expire_exports

    command.stdout.write(f"expired exports deleted: {expire_exports()}")


def _erase_arguments(parser) -> None:
    parser.add_argument("email", help="the person's e-mail address")
    parser.add_argument("--now", action="store_true", help="skip the grace period")


def _erase(command: BaseCommand, options: dict) -> None:
    from django.contrib.auth import get_user_model

    from mentorhaven.privacy.erasure import services
    from mentorhaven.privacy.erasure.models import ErasureRequest

    user = get_user_model().objects.filter(email__iexact=options["email"].strip()).first()
    if user is None or user.is_erased:
        raise CommandError("No account has that e-mail address.")
    if not options["now"]:
        request = services.erasure_request(actor=user, source=ErasureRequest.Source.OPERATOR)
        command.stdout.write(
            f"Erasure {request.public_id} scheduled for {request.due_at:%Y-%m-%d}."
        )
        return
    request = services.erasure_run(request=services.erasure_now(user=user))
    command.stdout.write(
        f"Erasure {request.public_id}: {request.status}, {len(request.steps_done)} steps done."
    )


def _process_due(command: BaseCommand, options: dict) -> None:
    from mentorhaven.privacy.erasure.services import process_due_erasures

    result = process_due_erasures()
    command.stdout.write(
        f"Reminders sent: {result['reminded']}; erasures completed: {result['completed']}."
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "erase": Subcommand("erase a person by e-mail address", _erase_arguments, _erase),
    "process-due": Subcommand(
        "send reminders and run erasures that are due", lambda parser: None, _process_due
    ),
    "export": Subcommand("write a person's data export to a file", _export_arguments, _export),
    "verify-export": Subcommand(
        "check an export's signed manifest and files", _verify_arguments, _verify
    ),
    "expire-exports": Subcommand(
        "delete export archives past their retention period", lambda parser: None, _expire
    ),
}


class Command(BaseCommand):
    help = "Data-subject requests: export, verify, expire exports; erase, process due erasures."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, subcommand in SUBCOMMANDS.items():
            subcommand.arguments(sub.add_parser(name, help=subcommand.help))

    def handle(self, *args, **options) -> None:
        SUBCOMMANDS[options["subcommand"]].handle(self, options)
