"""A production environment for subprocess tests: every variable set, keys in a temporary dir.

Settings are read from the environment once, at import, so the only honest way to test the
production configuration is to start MentorHaven in a fresh process with production variables.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
HOST = "mentoring.example.org"


def production_env(tmp: Path) -> dict[str, str]:
    from mentorhaven.kernel.audit.keys import generate_key_file
    from mentorhaven.kernel.vault import new_key_line

    master = tmp / "master.key"
    master.write_text(new_key_line("v1") + "\n")
    master.chmod(0o600)
    signing = tmp / "audit-signing.key"
    generate_key_file(signing)  # what `mentorhaven audit keygen FILE` writes
    return {
        # Only what a deployment would set: nothing leaks in from the test run's environment.
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "MENTORHAVEN_ENV": "production",
        "MENTORHAVEN_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "MENTORHAVEN_ALLOWED_HOSTS": HOST,
        "MENTORHAVEN_SITE_URL": f"https://{HOST}",
        "DATABASE_URL": f"sqlite:///{tmp / 'mentorhaven.sqlite3'}",
        "MENTORHAVEN_MASTER_KEY_FILE": str(master),
        "MENTORHAVEN_AUDIT_SIGNING_KEY_FILE": str(signing),
        "EMAIL_URL": "smtp://mail.example.org:25",
        "MENTORHAVEN_VAR_DIR": str(tmp / "var"),
        "MENTORHAVEN_STATIC_ROOT": str(tmp / "static"),
    }


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def mentorhaven(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(["-m", "mentorhaven.cli", *args], env)


def probe() -> None:
    """Run inside a production-configured process: prepare the database and static files as a
    deployment would, sign a person in, and print what each response carried, as JSON."""
    import json

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from mentorhaven.accounts.models import User

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    password = secrets.token_urlsafe(16)
    User.objects.create_user(email="probe@example.org", password=password, display_name="Probe")

    client = Client(HTTP_HOST=HOST, headers={"X-Forwarded-Proto": "https"})
    report: dict = {"pages": {}, "cookies": {}}

    def keep(label: str, response) -> None:
        report["pages"][label] = {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": b"".join(
                response.streaming_content if response.streaming else [response.content]
            ).decode(errors="replace")[:20000]
            if label == "missing"
            else "",
        }
        for name, morsel in response.cookies.items():
            report["cookies"][name] = {
                "value_set": bool(morsel.value),
                "secure": bool(morsel["secure"]),
                "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"],
                "path": morsel["path"],
                "domain": morsel["domain"],
            }

    keep("home", client.get("/"))
    keep("login", client.get("/accounts/login/"))
    keep(
        "login_post",
        client.post("/accounts/login/", {"login": "probe@example.org", "password": password}),
    )
    for label, path in (
        ("dashboard", "/dashboard/"),
        ("privacy", "/privacy/"),
        ("security", "/accounts/security/"),
        ("missing", "/no/such/page/"),
    ):
        keep(label, client.get(path))
    from django.templatetags.static import static

    keep("static", client.get(static("mentorhaven/mentorhaven.css")))
    plain = Client(HTTP_HOST=HOST)
    keep("plain_http", plain.get("/dashboard/"))
    keep(
        "other_host",
        Client(HTTP_HOST="evil.example.com", headers={"X-Forwarded-Proto": "https"}).get("/"),
    )
    print(json.dumps(report))
