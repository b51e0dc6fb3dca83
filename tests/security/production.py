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

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PROJECT_DIR = Path(__file__).resolve().parents[2]
HOST = "mentoring.example.org"


def production_env(tmp: Path) -> dict[str, str]:
    from mentorhaven.kernel.vault import new_key_line

    master = tmp / "master.key"
    master.write_text(new_key_line("v1") + "\n")
    master.chmod(0o600)
    signing = tmp / "audit-signing.key"
    signing.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signing.chmod(0o600)
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
