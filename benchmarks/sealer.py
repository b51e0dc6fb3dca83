"""Run ``mentorhaven audit sealer`` next to a benchmark, as a deployment runs it.

Not a benchmark itself (``make bench`` runs ``bench_*.py`` only). The sealer inherits this
process's environment (DATABASE_URL, MENTORHAVEN_ENV, ...).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


class SealerProcess:
    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def start(self) -> SealerProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mentorhaven.cli", "audit", "sealer"],
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "started" not in line:
            raise SystemExit(f"the audit sealer did not start: {line!r}")
        time.sleep(0.5)  # it starts listening just after saying so
        return self

    def cpu_seconds(self) -> float:
        """CPU time the sealer process has used so far (Linux /proc)."""
        if self.proc is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().split()
        except OSError:
            return 0.0
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
