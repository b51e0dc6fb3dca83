"""``mentorhaven demo``: load the demo data (idempotent) and print the logins.

``mentorhaven demo --scale N`` instead fills a new program with N participants and a year of
activity, in bulk (``mentorhaven/demo_scale.py``). ``mentorhaven demo totp EMAIL`` prints the
current TOTP code of a demo persona, so a newcomer can sign in as a mentor or admin without a
phone. All are refused in production.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mentorhaven.accounts.models import User
from mentorhaven.demo import current_totp_code, seed_demo
from mentorhaven.demo_scale import seed_scale


class Command(BaseCommand):
    help = "Load the demo data and print the demo logins; 'demo totp EMAIL' prints a TOTP code."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["load", "totp"], default="load")
        parser.add_argument("email", nargs="?")
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Instead: fill a new program with N participants and a year of activity.",
        )

    def handle(self, *args, action: str, email: str | None, scale: int | None = None, **options):
        if scale is not None:
            self._scale(scale)
            return
        if action == "totp":
            if not email:
                raise CommandError("Usage: mentorhaven demo totp EMAIL")
            try:
                self.stdout.write(current_totp_code(email))
            except (User.DoesNotExist, RuntimeError) as exc:
                raise CommandError(f"No demo authenticator for {email}: {exc}") from exc
            except Exception as exc:
                raise CommandError(f"{email} has no authenticator app enrolled.") from exc
            return
        try:
            logins = seed_demo()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo logins (http://localhost:8000/accounts/login/):")
        for persona, password in logins:
            role = persona.program_role or persona.org_role
            mfa = "  + TOTP: mentorhaven demo totp " + persona.email if persona.needs_mfa else ""
            self.stdout.write(f"  {persona.email:<26} {password:<20} {role:<17}{mfa}")

    def _scale(self, participants: int) -> None:
        try:
            report = seed_scale(participants, progress=lambda text: self.stderr.write(text))
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Program {report.program} of organization {report.organization}: "
            f"{report.participants} participants in {report.seconds:.1f} s"
        )
        for name, count in sorted(report.rows.items()):
            self.stdout.write(f"  {name:<22} {count:>10}")
        if report.mentee_email:
            self.stdout.write(
                f"A generated mentee in an active relationship: {report.mentee_email}"
            )
