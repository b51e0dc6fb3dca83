"""Small controls the ASVS checklist (docs/security/asvs.csv) cites that no other test covers.

Each test checks the behaviour a person or an attacker meets: the password rules through the
validators and the sign-in form, the hashing through a stored hash, the absence of dynamic code
execution through the source itself.
"""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.timezone import now as timezone_now

from mentorhaven.accounts.models import User
from tests.conftest import PASSWORD

SOURCE = Path(__file__).resolve().parents[2] / "mentorhaven"


def _refused(password: str, user: User | None = None) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return True
    return False


def test_a_password_shorter_than_twelve_characters_is_refused():
    assert _refused("kettle-moon")  # 11 characters
    assert not _refused("kettle-moon!")  # 12


def test_passwords_of_any_composition_and_of_128_characters_are_accepted():
    # No rule on character classes: lower case words, spaces, unicode and a long passphrase.
    assert not _refused("purple kettle under the moon")
    assert not _refused("zwölf äpfel für die müde katze")
    assert not _refused("walking " * 16)  # 128 characters


def test_common_and_personal_passwords_are_refused(db):
    assert _refused("password1234")
    person = User(email="renata.okafor@example.org", display_name="Renata Okafor")
    assert _refused("renata.okafor", person)


def test_the_password_is_checked_exactly_as_typed_without_truncation_or_case_folding():
    long_password = "a sentence long enough to pass any truncation point " * 3 + "X"
    stored = make_password(long_password)
    assert check_password(long_password, stored)
    assert not check_password(long_password[:-1] + "x", stored)
    assert not check_password(long_password[:72], stored)


def test_passwords_are_stored_with_argon2id_outside_the_test_suite():
    production_hashers = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production_hashers[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("purple kettle under the moon", "c2FsdHNhbHRzYWx0")
    assert encoded.startswith("argon2$argon2id$")
    assert identify_hasher(encoded).algorithm == "argon2"


def test_changing_the_password_needs_the_current_one(client, personas, login):
    login(personas.cara)
    new = {"password1": "a new long passphrase 7", "password2": "a new long passphrase 7"}
    response = client.post(reverse("account_change_password"), {"oldpassword": "not mine", **new})
    assert response.status_code == 200  # the form again, with its error
    personas.cara.refresh_from_db()
    assert not personas.cara.check_password("a new long passphrase 7")
    response = client.post(reverse("account_change_password"), {"oldpassword": PASSWORD, **new})
    assert response.status_code == 302
    personas.cara.refresh_from_db()
    assert personas.cara.check_password("a new long passphrase 7")


_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
_FORBIDDEN_ATTRIBUTES = {
    ("pickle", "loads"),
    ("pickle", "load"),
    ("marshal", "loads"),
    ("os", "system"),
    ("os", "popen"),
}


def _dangerous_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in _FORBIDDEN_CALLS:
            found.append(func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in _FORBIDDEN_ATTRIBUTES
        ):
            found.append(f"{func.value.id}.{func.attr}")
        for keyword in node.keywords:
            if (
                keyword.arg == "shell"
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value
            ):
                found.append("shell=True")
    return found


def test_no_code_is_built_or_run_from_data():
    offenders = {}
    for path in SOURCE.rglob("*.py"):
        calls = _dangerous_calls(ast.parse(path.read_text(encoding="utf-8")))
        if calls:
            offenders[str(path.relative_to(SOURCE))] = calls
    assert offenders == {}


def test_the_scan_for_dynamic_code_finds_each_kind():
    sample = "eval(x)\nexec(y)\npickle.loads(b)\nos.system(c)\nsubprocess.run(c, shell=True)\n"
    assert _dangerous_calls(ast.parse(sample)) == [
        "eval",
        "exec",
        "pickle.loads",
        "os.system",
        "shell=True",
    ]


@pytest.mark.parametrize("header", ["Subject\r\nBcc: someone@example.org", "line\nbreak"])
def test_mail_headers_cannot_carry_an_injected_header(header):
    from django.core.mail import EmailMessage

    message = EmailMessage(subject=header, body="body", to=["someone@example.org"])
    with pytest.raises(ValueError):  # Django's former BadHeaderError is a ValueError too
        message.message()


# --- further controls the checklist cites -----------------------------------------------------

# Modules allowed to run SQL by hand. Each builds its statements from identifiers of our own
# tables (quoted) and passes every value as a parameter; nothing an app receives reaches them.
_RAW_SQL_ALLOWED = {
    "kernel/audit",
    "kernel/management/commands/db.py",
    "kernel/migrations",
    "kernel/database.py",
}
_RAW_SQL_CALLS = {"execute", "executemany", "raw", "extra", "RawSQL", "executescript"}


def _raw_sql_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            # A statement written out in full carries no data; only built ones are suspect.
            if name in _RAW_SQL_CALLS and not (node.args and _only_constants(node.args[0])):
                found.append(name)
    return found


def _allowed_raw_sql(relative: str) -> bool:
    return any(
        relative == allowed or relative.startswith(allowed + "/") for allowed in _RAW_SQL_ALLOWED
    )


def test_apps_query_only_through_the_orm():
    offenders = {}
    for path in SOURCE.rglob("*.py"):
        relative = str(path.relative_to(SOURCE))
        if "/migrations/" in f"/{relative}" or _allowed_raw_sql(relative):
            continue
        calls = _raw_sql_calls(ast.parse(path.read_text(encoding="utf-8")))
        if calls:
            offenders[relative] = calls
    assert offenders == {}


def test_the_raw_sql_scan_finds_each_kind():
    sample = (
        "cursor.execute(q)\nUser.objects.raw(q)\nqs.extra(where=[q])\nRawSQL(q, [])\n"
        "cursor.execute('SELECT 1')\n"
    )
    assert _raw_sql_calls(ast.parse(sample)) == ["execute", "raw", "extra", "RawSQL"]


_WEAK_CRYPTO = (
    "modes.ECB",
    "PKCS1v15",
    "hashlib.md5",
    "hashlib.sha1",
    "TripleDES",
    "ARC4",
    "Blowfish",
    "DES3",
    "random.random(",
    "random.randint(",
    "random.choice(",
)


def test_no_weak_cipher_mode_padding_hash_or_plain_random_is_used():
    offenders = {}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used = [name for name in _WEAK_CRYPTO if name in text]
        if used:
            offenders[str(path.relative_to(SOURCE))] = used
    assert offenders == {}


def test_encryption_is_aes_256_gcm_from_the_cryptography_library():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (SOURCE / "kernel").rglob("*.py"))
    assert "from cryptography.hazmat.primitives.ciphers.aead import AESGCM" in text
    assert "AESGCM(" in text


def test_sessions_are_stored_on_the_server_and_serialised_as_json():
    assert settings.SESSION_SERIALIZER == "django.contrib.sessions.serializers.JSONSerializer"
    assert settings.SESSION_ENGINE == "mentorhaven.accounts.sessions"
    source = "\n".join(p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py"))
    assert "yaml.load(" not in source
    assert "PickleSerializer" not in source


def test_no_cross_origin_sharing_headers_are_ever_sent(client, personas, login):
    login(personas.cara)
    for method in ("get", "options"):
        response = getattr(client, method)("/api/v1/me", HTTP_ORIGIN="https://evil.example")
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_responses_declare_their_media_type_and_charset(client, personas, login):
    assert client.get("/").headers["Content-Type"] == "text/html; charset=utf-8"
    login(personas.cara)
    api = client.get("/api/v1/me")
    assert api.headers["Content-Type"].startswith("application/json")
    error = client.get("/api/v1/no-such-thing")
    assert error.headers["Content-Type"].startswith("application/json")


def test_source_control_files_are_not_served(client):
    for path in (
        "/.git/config",
        "/.git/HEAD",
        "/.env",
        "/pyproject.toml",
        "/static/../settings.py",
    ):
        assert client.get(path).status_code == 404


def test_password_fields_are_masked_and_allow_paste_and_password_managers(client, personas, login):
    pages = [client.get(reverse("account_login")).content.decode()]
    login(personas.cara)
    pages.append(client.get(reverse("account_change_password")).content.decode())
    for page in pages:
        fields = re.findall(r"<input[^>]*name=\"(?:old)?password\d?\"[^>]*>", page)
        assert fields
        for field in fields:
            assert 'type="password"' in field
            assert "onpaste" not in field and "oncopy" not in field
            assert 'autocomplete="off"' not in field


def test_there_are_no_password_hints_or_secret_questions():
    from mentorhaven.accounts.models import User as Model

    names = " ".join(field.name for field in Model._meta.get_fields()).lower()
    for word in ("hint", "question", "secret_answer"):
        assert word not in names


def test_a_password_never_expires_by_age(client, personas):
    with time_machine.travel(timezone_now() + timedelta(days=800)):
        response = client.post(
            reverse("account_login"), {"login": personas.cara.email, "password": PASSWORD}
        )
    assert response.status_code == 302
    assert "password/change" not in response["Location"]


def test_a_fresh_installation_has_no_accounts_and_demo_data_is_refused_in_production(db, settings):
    assert User.objects.count() == 0
    from mentorhaven.demo import seed_demo

    settings.PRODUCTION = True
    with pytest.raises(RuntimeError):
        seed_demo()
    assert User.objects.count() == 0


def test_a_deactivated_account_loses_its_open_session_at_once(client, personas, login):
    login(personas.cara)
    assert client.get("/api/v1/me").status_code == 200
    User.objects.filter(pk=personas.cara.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401


def test_a_password_reset_does_not_skip_the_second_factor(client, personas):
    assert settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET is False
    mentor = personas.ana
    assert mentor.email in personas.totp_secrets
    mentor.set_password("a brand new passphrase 9")
    mentor.save()
    response = client.post(
        reverse("account_login"), {"login": mentor.email, "password": "a brand new passphrase 9"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate")
    assert client.get("/api/v1/me").status_code == 401


def test_times_are_kept_in_utc():
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "UTC"


_RE_FUNCTIONS = {
    "compile",
    "search",
    "match",
    "fullmatch",
    "sub",
    "subn",
    "split",
    "findall",
    "finditer",
}


def _only_constants(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _only_constants(node.left) and _only_constants(node.right)
    return False


def _regexes_built_from_data(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if (
            isinstance(node, ast.Call)
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "re"
            and func.attr in _RE_FUNCTIONS
            and node.args
            and not _only_constants(node.args[0])
        ):
            lines.append(node.lineno)
    return lines


def test_regular_expressions_are_never_built_from_data():
    offenders = {}
    for path in SOURCE.rglob("*.py"):
        lines = _regexes_built_from_data(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            offenders[str(path.relative_to(SOURCE))] = lines
    assert offenders == {}
    assert _regexes_built_from_data(ast.parse("re.search(term, text)\nre.compile('a' + 'b')")) == [
        1
    ]


_TEMPLATE_FROM_STRING = ("Template(", "from_string(", "Engine(")


def test_no_template_is_built_from_a_string():
    offenders = {}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used = [name for name in _TEMPLATE_FROM_STRING if name in text]
        if used:
            offenders[str(path.relative_to(SOURCE))] = used
    assert offenders == {}


_TRANSLATORS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "npgettext",
}


def _format_strings_from_data(tree: ast.AST) -> list[int]:
    """Lines where a format string (``.format`` or ``%``) is not our own literal text."""

    def ours(node: ast.AST) -> bool:
        if _only_constants(node):
            return True
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _TRANSLATORS
            and all(_only_constants(arg) for arg in node.args[:1])
        )

    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("format", "format_map")
            and not ours(node.func.value)
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant | ast.JoinedStr | ast.Call)
            and not isinstance(node.left, ast.Constant)
            and not ours(node.left)
        ):
            lines.append(node.lineno)
    return lines


# The audit registry formats sentences that each app declares in code (its audit_actions.py).
_FORMAT_ALLOWED = {"kernel/audit/actions.py"}


def test_format_strings_are_always_our_own_text():
    offenders = {}
    for path in SOURCE.rglob("*.py"):
        if str(path.relative_to(SOURCE)) in _FORMAT_ALLOWED:
            continue
        lines = _format_strings_from_data(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            offenders[str(path.relative_to(SOURCE))] = lines
    assert offenders == {}
    sample = "'{}'.format(x)\n_('{n}').format(n=1)\ntemplate.format(x)\nrow.format_map(d)\n"
    assert _format_strings_from_data(ast.parse(sample)) == [3, 4]


_SCRIPTS = SOURCE / "static" / "mentorhaven"
_UNSAFE_IN_SCRIPTS = (
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "eval(",
    "new Function",
    "localStorage",
    "sessionStorage",
    "indexedDB",
    "document.cookie",
    "postMessage",
    'window.addEventListener("message"',
    "__proto__",
    "Object.assign(",
)


def test_our_scripts_write_no_html_keep_nothing_in_browser_storage_and_hear_no_window():
    scripts = sorted(_SCRIPTS.rglob("*.js"))
    assert scripts, "the scan must see our scripts"
    offenders = {}
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        code = "\n".join(line.split("//")[0] for line in text.splitlines())
        used = [name for name in _UNSAFE_IN_SCRIPTS if name in code]
        if used:
            offenders[script.name] = used
    assert offenders == {}


def test_the_socket_uses_tls_whenever_the_page_does():
    chat = (_SCRIPTS / "chat.js").read_text(encoding="utf-8")
    assert 'window.location.protocol === "https:" ? "wss://" : "ws://"' in chat


def test_sign_in_never_redirects_to_another_site(client, personas):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        client.logout()
        response = client.post(
            reverse("account_login") + "?next=" + target,
            {"login": personas.cara.email, "password": PASSWORD, "next": target},
        )
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//"), location


def test_a_forwarded_for_header_from_the_client_changes_no_recorded_address(client, personas):
    from allauth.usersessions.models import UserSession

    response = client.post(
        reverse("account_login"),
        {"login": personas.cara.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_X_REAL_IP="203.0.113.9",
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    addresses = set(UserSession.objects.filter(user=personas.cara).values_list("ip", flat=True))
    assert addresses == {"192.0.2.10"}


def test_a_totp_code_signs_in_only_once(personas):
    from django.test import Client

    from tests.conftest import totp_code

    mentor = personas.ana
    code = totp_code(personas.totp_secrets[mentor.email])
    results = []
    for _attempt in range(2):
        browser = Client()
        browser.post(reverse("account_login"), {"login": mentor.email, "password": PASSWORD})
        response = browser.post("/accounts/2fa/authenticate/", {"code": code})
        results.append(response.status_code == 302 and browser.get("/api/v1/me").status_code == 200)
    assert results == [True, False]


def test_second_factor_secrets_are_random_with_a_30_second_code_lifetime(db):
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from mentorhaven.accounts.mfa_adapter import secrets_of
    from mentorhaven.accounts.services import mfa_enroll_totp

    assert mfa_settings.TOTP_PERIOD == 30
    assert mfa_settings.TOTP_TOLERANCE == 0
    people = [User.objects.create_user(email=f"p{i}@seeds.test", password=PASSWORD) for i in (1, 2)]
    seeds = [mfa_enroll_totp(user=person) for person in people]
    assert seeds[0] != seeds[1]
    assert all(len(seed) * 5 >= 160 for seed in seeds)  # base32: five bits a character
    with secrets_of(people[0]):
        codes = RecoveryCodes(
            people[0].authenticator_set.get(type="recovery_codes")
        ).get_unused_codes()
    assert len(set(codes)) == len(codes) >= 10
    assert all(len(code) >= 8 for code in codes)  # hexadecimal: 32 bits and more each


def test_a_password_reset_link_is_refused_when_altered_or_old(client, personas, settings):
    from django.core import mail
    from django.test import Client

    client.post(reverse("account_reset_password"), {"email": personas.cara.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)
    path = link.group(1).rstrip("/")
    altered = path[:-1] + ("a" if path[-1] != "a" else "b")

    def usable(url: str) -> bool:
        response = Client().get(url + "/", follow=True)
        return b'name="password1"' in response.content

    assert usable(path)
    assert not usable(altered)
    too_late = timezone_now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(too_late):
        assert not usable(path)


def test_the_documented_session_lifetime_is_the_configured_one():
    page = (SOURCE.parent / "docs" / "security" / "README.md").read_text(encoding="utf-8")
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert "Sessions\nlast at most 8 hours and end with the browser" in page or (
        "last at most 8 hours and end with the browser" in " ".join(page.split())
    )


def test_changing_a_second_factor_asks_for_the_password_again(client, personas, login):
    from allauth.account import app_settings as account_settings

    login(personas.ana)
    later = timezone_now() + timedelta(seconds=account_settings.REAUTHENTICATION_TIMEOUT + 60)
    with time_machine.travel(later):
        for path, data in (
            ("/accounts/2fa/totp/deactivate/", {}),
            ("/accounts/2fa/recovery-codes/generate/", {}),
        ):
            response = client.post(path, data)
            assert response.status_code == 302, path
            assert response["Location"].startswith("/accounts/reauthenticate/"), path
