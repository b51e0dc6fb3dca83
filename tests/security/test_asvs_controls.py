"""Small controls the ASVS checklist (docs/security/asvs.csv) cites that no other test covers.

Each test checks the behaviour a person or an attacker meets: the password rules through the
validators and the sign-in form, the hashing through a stored hash, the absence of dynamic code
execution through the source itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

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
    from django.core.mail import BadHeaderError, EmailMessage

    message = EmailMessage(subject=header, body="body", to=["someone@example.org"])
    with pytest.raises((BadHeaderError, ValueError)):
        message.message()
