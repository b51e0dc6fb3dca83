"""``mentorhaven org create NAME --admin EMAIL [--slug SLUG]``: a new organization from the
command line, with an invitation for its first admin.

Policy: the operator of the server may create organizations at any time (the first one, or
more later). The organization's address (slug) must be free: running the command twice with the
same slug stops with a clear error and changes nothing. The invitation is the ordinary one: its
link goes out by e-mail after the transaction commits and only a SHA-256 of its token is kept.
Both writes are audited with ``system`` as actor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.programs.services import invitation_first_admin, organization_create


class Command(BaseCommand):
    help = "Create an organization and invite its first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create an organization; invite its admin.")
        create.add_argument("name")
        create.add_argument("--admin", required=True, metavar="EMAIL", help="First admin.")
        create.add_argument("--slug", help="Its address (default: made from the name).")
        create.add_argument("--admin-name", default="", help="The admin's name, if known.")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"] or slugify(options["name"])
        try:
            with transaction.atomic():
                organization = organization_create(actor=None, name=options["name"], slug=slug)
                invitation = invitation_first_admin(
                    organization=organization,
                    email=options["admin"],
                    display_name=options["admin_name"],
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Created the organization {organization.name!r} (address {organization.slug!r}).\n"
            f"Invited {invitation.email} as its admin: the link is in their e-mail and works "
            f"once, for {settings.INVITATION_DAYS} days."
        )
