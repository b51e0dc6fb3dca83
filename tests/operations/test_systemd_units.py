"""The systemd units in deploy/systemd/ start what ``mentorhaven run`` starts, and are valid."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

from mentorhaven.web.management.commands.run import children

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
LONG_RUNNING = ("web", "sealer", "worker", "scheduler")
VENV_BIN = "/opt/mentorhaven/venv/bin/"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name)
    return parser


def _exec(name: str) -> list[str]:
    return shlex.split(_unit(name)["Service"]["ExecStart"].replace("\\\n", " "))


def test_every_process_of_mentorhaven_run_has_a_supervised_unit(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = {
        tuple(exec_line) for exec_line in (_exec(f"mentorhaven-{n}.service") for n in LONG_RUNNING)
    }
    for label, command in children("127.0.0.1", 8000):
        if command[1:3] == ["-m", "uvicorn"]:
            want = (f"{VENV_BIN}uvicorn", command[3])
            assert any(line[:2] == want for line in started), label
        else:
            want = (f"{VENV_BIN}mentorhaven", *command[3:])
            assert want in started, label


def test_long_running_units_restart_and_share_one_target():
    target = _unit("mentorhaven.target")["Unit"]["Wants"].split()
    for name in LONG_RUNNING:
        unit = _unit(f"mentorhaven-{name}.service")
        assert unit["Service"]["Restart"] == "always"
        assert unit["Service"]["User"] == "mentorhaven"
        assert unit["Service"]["Environment"]  # production mode
        assert unit["Unit"]["PartOf"] == "mentorhaven.target"
        assert f"mentorhaven-{name}.service" in target


def test_the_web_unit_runs_several_workers_with_shared_metrics():
    unit = _unit("mentorhaven-web.service")["Service"]
    line = _exec("mentorhaven-web.service")
    assert "--workers" in line and "--no-access-log" in line and "--proxy-headers" in line
    assert unit["RuntimeDirectory"] == "mentorhaven-metrics"
    text = (UNITS / "mentorhaven-web.service").read_text()
    assert "PROMETHEUS_MULTIPROC_DIR=/run/mentorhaven-metrics" in text


def test_every_mentorhaven_command_in_a_unit_exists():
    commands = get_commands()
    for path in UNITS.glob("*.service"):
        text = path.read_text()
        for word in ("audit", "worker", "schedule", "backup"):
            if f"bin/mentorhaven {word}" in text:
                assert word in commands, (path.name, word)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_units_pass_systemd_analyze_verify():
    units = sorted(str(p) for p in UNITS.iterdir() if p.suffix in (".service", ".timer", ".target"))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The venv path does not exist on a development machine; anything else is a real problem.
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "is not executable: No such file or directory" not in line
    ]
    assert problems == []
