"""``mentorhaven run`` announces the address passkeys work on, and a set-up token while the
install is empty."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mentorhaven.programs.models import SetupToken
from mentorhaven.programs.services import organization_create
from mentorhaven.web.management.commands.run import Command, browser_address, children

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_a_loopback_server_is_announced_as_localhost(host):
    # WebAuthn accepts http://localhost as a secure origin, never an IP address.
    assert browser_address(host, 8000) == "http://localhost:8000"


def test_another_host_is_announced_as_given():
    assert browser_address("mentoring.internal", 9000) == "http://mentoring.internal:9000"


def test_an_empty_install_gets_a_set_up_token_printed():
    command = Command(stdout=io.StringIO())
    command._print_setup_token()
    assert "/setup/" in command.stdout.getvalue()
    assert SetupToken.objects.count() == 1


def test_no_token_once_an_organization_exists():
    organization_create(actor=None, name="Acme", slug="acme")
    command = Command(stdout=io.StringIO())
    command._print_setup_token()
    assert command.stdout.getvalue() == ""
    assert not SetupToken.objects.exists()


def test_the_task_worker_runs_beside_the_server_for_a_queue_backend(settings):
    settings.TASK_BACKEND = "database"
    names = {name: argv[-1] for name, argv in children("127.0.0.1", 8000)}
    assert names["task worker"] == "worker"
    settings.TASK_BACKEND = "immediate"  # tasks run in the web process: no worker to start
    assert "task worker" not in {name for name, _ in children("127.0.0.1", 8000)}


def test_a_worker_refuses_to_start_when_tasks_run_in_the_web_process(settings):
    settings.TASK_BACKEND = "immediate"
    with pytest.raises(CommandError, match="nothing for a worker to do"):
        call_command("worker")
