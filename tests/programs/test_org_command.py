"""``mentorhaven org create`` and ``mentorhaven setup-token``: an organization from an empty
install, its first admin invited the ordinary way."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import Invitation, Organization, OrgMembership, SetupToken

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"/accounts/invitation/([A-Za-z0-9_\-]+)/")


def org_create(*args: str) -> str:
    out = io.StringIO()
    call_command("org", "create", *args, stdout=out)
    return out.getvalue()


def test_org_create_makes_the_organization_and_invites_its_admin(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        out = org_create("Acme Mentoring", "--admin", "Boss@Acme.test")
    organization = Organization.objects.get(slug="acme-mentoring")
    assert organization.name == "Acme Mentoring"
    invitation = Invitation.objects.get(organization=organization)
    assert invitation.email == "boss@acme.test"
    assert invitation.org_role == OrgMembership.Role.ORG_ADMIN
    assert invitation.invited_by is None and invitation.program is None
    # The link is in the e-mail only, sent after commit; the database keeps its SHA-256.
    [message] = mail.outbox
    assert message.to == ["boss@acme.test"]
    token = LINK_RE.search(message.body).group(1)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in out
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"organization.create", "invitation.create"} <= actions


def test_the_email_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        org_create("Acme", "--admin", "boss@acme.test")
    assert mail.outbox == [] and callbacks


def test_a_second_run_with_the_same_slug_is_a_clear_error_and_changes_nothing():
    org_create("Acme", "--admin", "boss@acme.test")
    with pytest.raises(CommandError, match="already exists"):
        org_create("Acme again", "--slug", "acme", "--admin", "other@acme.test")
    assert Organization.objects.count() == 1
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Acme", "--admin", "not-an-address"), "valid e-mail"),
        (("Acme", "--slug", "no spaces!", "--admin", "a@b.test"), "address may hold"),
        (("   ", "--admin", "a@b.test"), "name"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        org_create(*args)
    assert not Organization.objects.exists()


def test_setup_token_is_printed_once_and_only_its_hash_kept():
    out = io.StringIO()
    call_command("setup_token", stdout=out)
    token = re.search(r"^\s{4}(\S+)$", out.getvalue(), re.M).group(1)
    row = SetupToken.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "/setup/" in out.getvalue()
    assert AuditEvent.objects.filter(action="setup.token_issue").exists()


def test_setup_token_refused_once_an_organization_exists():
    org_create("Acme", "--admin", "boss@acme.test")
    with pytest.raises(CommandError, match="already set up"):
        call_command("setup_token", stdout=io.StringIO())
    assert not SetupToken.objects.exists()
