"""``mentorhaven migrate``: Django's migrate, run as the owner role when one is configured.

With ``DATABASE_OWNER_URL`` set (PostgreSQL), migrations connect with those credentials, so the
tables, sequences and the audit's sealing function belong to the owner role; then the app's
role (the user of ``DATABASE_URL``) is granted exactly what it needs (``mentorhaven db grant``).
Without it, this is Django's migrate unchanged (development, SQLite, single-role setups).
"""

from __future__ import annotations

from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from mentorhaven.kernel.management.commands.db import grant_app_role

OWNER_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


class Command(DjangoMigrate):
    help = (
        "Apply migrations; with DATABASE_OWNER_URL, as the owner role, then grant the app's "
        "role its privileges."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        owner_url = getattr(settings, "DATABASE_OWNER_URL", None)
        if not owner_url:
            super().handle(*args, **options)
            return
        connection = connections[options["database"]]
        owner = dj_database_url.parse(owner_url)
        if connection.vendor != "postgresql" or "postgresql" not in owner["ENGINE"]:
            raise CommandError("DATABASE_OWNER_URL is for PostgreSQL only")
        if owner["NAME"] != connection.settings_dict["NAME"]:
            raise CommandError("DATABASE_OWNER_URL must name the same database as DATABASE_URL")
        app_role = connection.settings_dict["USER"]
        saved = {key: connection.settings_dict.get(key) for key in (*OWNER_KEYS, "OPTIONS")}
        connection.close()
        connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL's wrapper has it
        connection.settings_dict.update({key: owner.get(key) for key in OWNER_KEYS})
        options_without_pool = dict(saved["OPTIONS"] or {})
        options_without_pool.pop("pool", None)  # one plain connection for the migration
        connection.settings_dict["OPTIONS"] = options_without_pool
        try:
            super().handle(*args, **options)
            if app_role and app_role != owner["USER"]:
                count = grant_app_role(app_role, using=options["database"])
                if options["verbosity"]:
                    self.stdout.write(
                        f"Granted {app_role} the app's privileges on {count} tables and "
                        "sequences (audit tables: SELECT and INSERT only)."
                    )
        finally:
            connection.close()
            connection.settings_dict.update(saved)
