"""``mentorhaven setup-token``: print a one-time token for the first-run page ``/setup/``.

Policy: only while no organization exists. The token is printed once and only its SHA-256 is
kept; it works once, for ``SETUP_TOKEN_MINUTES`` minutes, and a new one replaces any earlier one
(so printing another is how to recover from a lost or worn-out token). Audited (``system``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.programs.services import SETUP_TOKEN_MINUTES, setup_token_issue


def setup_message(token: str) -> str:
    return (
        f"MentorHaven has no organization yet. Open {settings.SITE_URL}/setup/ and enter this "
        f"set-up token (it works once, for {SETUP_TOKEN_MINUTES} minutes):\n\n    {token}\n"
    )


class Command(BaseCommand):
    help = "Print a one-time token to create the first organization at /setup/."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            token = setup_token_issue()
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(setup_message(token))
