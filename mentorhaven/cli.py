"""The ``mentorhaven`` console script: Django's management entry point."""

import os
import sys


def main() -> None:
    if sys.argv[1:3] == ["keys", "generate"] and len(sys.argv) == 4:
        # Runs without settings: production refuses to start until this key file exists.
        from mentorhaven.kernel.management.commands.keys import generate_main

        sys.exit(generate_main(sys.argv[3]))
    if sys.argv[1:2] == ["setup-token"]:
        sys.argv[1] = "setup_token"  # the documented spelling; Django's command is setup_token
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        # The database cannot be reached or opened (a wrong DATABASE_URL, a server that is
        # down, a missing folder): one line an operator can act on, not a traceback. The
        # driver's own log lines above it name the cause; --traceback shows the trace.
        if "--traceback" in sys.argv:
            raise
        sys.stderr.write(
            f"mentorhaven: the database could not be used: {str(exc).strip()}\n"
            "Check DATABASE_URL and that the database server is running.\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
