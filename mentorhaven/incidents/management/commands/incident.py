"""``mentorhaven incident <subcommand>``: incident response from the command line.

* ``impact --account EMAIL [--from ISO] [--to ISO] [--category C ...] [--json]``: whose data
  the account touched (its events in the audit log), and which categories; or, without
  ``--account``, whose data anyone touched in the window. Re-identification goes through the
  kernel with the pseudonym keys; every person with an account is a candidate. The run is
  audited (counts only). ``--json`` prints
  ``{"subjects": [{"email", "categories": [...], "events": N}], "events": N, ...}``.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from mentorhaven.kernel.errors import ApplicationError


class Command(BaseCommand):
    help = "Incident response: impact analysis from the audit log."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        impact = sub.add_parser("impact", help="whose data an account or a time window touched")
        impact.add_argument("--account", default="", help="the compromised account's e-mail")
        impact.add_argument("--from", dest="since", default=None, help="ISO 8601 start (UTC)")
        impact.add_argument("--to", dest="until", default=None, help="ISO 8601 end (UTC)")
        impact.add_argument(
            "--category", action="append", default=[], help="a data category (repeatable)"
        )
        impact.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args, **options) -> None:
        from mentorhaven.accounts.models import User
        from mentorhaven.incidents.impact import build_query, impact_analysis

        try:
            query = build_query(
                account_email=options["account"],
                since=options["since"],
                until=options["until"],
                categories=options["category"],
            )
            result = impact_analysis(actor=None, query=query, candidates=User.objects.all())
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, sort_keys=True))
            return
        self.stdout.write(
            f"{len(result['subjects'])} people, {result['events']} events "
            f"({result['erased_events']} about erased people, "
            f"{result['unidentified_events']} unidentified)"
        )
        for row in result["subjects"]:
            self.stdout.write(f"{row['email']}\t{row['events']}\t{', '.join(row['categories'])}")
