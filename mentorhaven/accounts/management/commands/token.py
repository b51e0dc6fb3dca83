"""``mentorhaven token create|list|revoke``: personal access tokens from the command line.

Policy: the operator may issue a token for any active account (for automation set up on
someone's behalf); the secret is printed once and only its SHA-256 is kept. Every token expires
(default ``API_TOKEN_DEFAULT_DAYS``, at most 365 days). Revoking is idempotent: revoking a
revoked token changes nothing. Creation and revocation are audited with ``system`` as actor.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentorhaven.accounts.models import ApiToken, User
from mentorhaven.accounts.tokens import (
    MAX_DAYS,
    api_token_create,
    api_token_revoke,
    api_tokens_for,
    api_tokens_matching,
)
from mentorhaven.kernel.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create, list and revoke personal access tokens for the API."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token and print it once.")
        create.add_argument("email")
        create.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        create.add_argument(
            "--days",
            type=int,
            default=settings.API_TOKEN_DEFAULT_DAYS,
            help=f"Days until it expires (1 to {MAX_DAYS}).",
        )
        create.add_argument("--name", default="Command-line token")
        listing = actions.add_parser("list", help="List a person's tokens (never the secrets).")
        listing.add_argument("email")
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix or public id.")
        revoke.add_argument("reference", metavar="PREFIX_OR_ID")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _user(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {email!r}.")
        return user

    def _create(self, options) -> None:
        user = self._user(options["email"])
        try:
            token, secret = api_token_create(
                actor=None,
                user=user,
                name=options["name"],
                scope=options["scope"],
                days=options["days"],
            )
        except ValidationFailed as exc:
            problems = "; ".join(exc.extra.get("errors", {}).values()) or exc.message
            raise CommandError(problems) from exc
        self.stderr.write(
            f"Token {token.prefix}… ({token.scope}) for {user.email}, expires "
            f"{token.expires_at:%Y-%m-%d}. It is shown only now; store it safely:"
        )
        self.stdout.write(secret)

    def _list(self, options) -> None:
        user = self._user(options["email"])
        now = timezone.now()
        for token in api_tokens_for(viewer=user):
            state = (
                "revoked"
                if token.revoked_at
                else ("expired" if token.expires_at <= now else "active")
            )
            last = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.public_id}  {token.prefix}…  {token.scope:5}  {state:7}  "
                f"created {token.created_at:%Y-%m-%d}  expires {token.expires_at:%Y-%m-%d}  "
                f"last used {last}  {token.name}"
            )

    def _revoke(self, options) -> None:
        matches = list(api_tokens_matching(options["reference"].rstrip("…")))
        if not matches:
            raise CommandError("No token has that prefix or id.")
        if len(matches) > 1:
            raise CommandError("Several tokens share that prefix; use the token's public id.")
        token = api_token_revoke(actor=None, token=matches[0])
        self.stdout.write(f"Revoked {token.prefix}… of {token.user.email}.")
