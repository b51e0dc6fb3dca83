"""Production start-up: the deploy check is clean, and a bad or missing value stops start-up
with a message that names the variable (never a silent insecure default)."""

from __future__ import annotations

import pytest

from tests.security.production import mentorhaven, production_env, run


@pytest.fixture
def prod_env(tmp_path) -> dict[str, str]:
    return production_env(tmp_path)


def test_deploy_check_is_clean_with_production_settings(prod_env):
    result = mentorhaven(["check", "--deploy", "--fail-level", "WARNING"], prod_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_a_protection_is_weakened(prod_env):
    """The check above can fail: shorten HSTS and the deploy check refuses."""
    prod_env["MENTORHAVEN_HSTS_SECONDS"] = "0"
    result = mentorhaven(["check", "--deploy", "--fail-level", "WARNING"], prod_env)
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


BAD_VALUES = [
    pytest.param("MENTORHAVEN_SECRET_KEY", None, "MENTORHAVEN_SECRET_KEY", id="no-secret"),
    pytest.param(
        "MENTORHAVEN_SECRET_KEY", "too-short-secret", "MENTORHAVEN_SECRET_KEY", id="short-secret"
    ),
    pytest.param(
        "MENTORHAVEN_SECRET_KEY", "a" * 64, "MENTORHAVEN_SECRET_KEY", id="low-variety-secret"
    ),
    pytest.param("MENTORHAVEN_ALLOWED_HOSTS", None, "MENTORHAVEN_ALLOWED_HOSTS", id="no-hosts"),
    pytest.param("MENTORHAVEN_ALLOWED_HOSTS", "*", "MENTORHAVEN_ALLOWED_HOSTS", id="wildcard-host"),
    pytest.param("DATABASE_URL", None, "DATABASE_URL", id="no-database"),
    pytest.param("DATABASE_URL", "nosuchdb://somewhere/db", "DATABASE_URL", id="bad-database"),
    pytest.param("MENTORHAVEN_ENV", "prod", "MENTORHAVEN_ENV", id="bad-env"),
    pytest.param(
        "MENTORHAVEN_MASTER_KEY_FILE", None, "MENTORHAVEN_MASTER_KEY_FILE", id="no-master-key"
    ),
    pytest.param(
        "MENTORHAVEN_AUDIT_SIGNING_KEY_FILE",
        None,
        "MENTORHAVEN_AUDIT_SIGNING_KEY_FILE",
        id="no-audit-signing-key",
    ),
    pytest.param("EMAIL_URL", None, "EMAIL_URL", id="no-email"),
    pytest.param(
        "EMAIL_URL", "smtp+tls://mail.example.org:587", "EMAIL_URL", id="unknown-email-scheme"
    ),
    pytest.param("MENTORHAVEN_DEBUG", "true", "MENTORHAVEN_DEBUG", id="debug-on"),
    pytest.param(
        "MENTORHAVEN_SECRET_KEY_FILE",
        "/nonexistent/secret",
        "MENTORHAVEN_SECRET_KEY",
        id="unreadable-secret-file",
    ),
]


@pytest.mark.parametrize(("variable", "value", "named"), BAD_VALUES)
def test_bad_production_value_stops_start_up_naming_the_variable(prod_env, variable, value, named):
    if value is None:
        prod_env.pop(variable)
    else:
        prod_env[variable] = value
    result = mentorhaven(["check"], prod_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_a_file_mail_url_keeps_its_absolute_directory(prod_env, tmp_path):
    # file:///abs/dir is the directory /abs/dir, not abs/dir under the working directory.
    prod_env["EMAIL_URL"] = f"file://{tmp_path / 'mail'}"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.MAILERS['default']['OPTIONS']['file_path'])"
    )
    result = run(["-c", code], {**prod_env, "DJANGO_SETTINGS_MODULE": "mentorhaven.settings"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "mail")
