"""Schemathesis against a live server with many more cases than ``make test`` runs.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_fuzz.py [EXAMPLES]`` runs
``tests/api/test_fuzz_live.py`` (uvicorn on loopback serving the real ASGI app, the tokens of a
mentee and a program admin in each of two organizations) with ``EXAMPLES`` generated cases per
operation, generation mode and caller (default 100; the test itself uses 2), and prints its
figures as one JSON line: operations, requests per token, answers by status, and the number of
server errors, schema violations and answers showing the other organization's data — the goal
is zero for all three. Uses ``DATABASE_URL`` when set (a scratch test database is made from it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "100"
    env = {**os.environ, "MENTORHAVEN_ENV": "test", "MENTORHAVEN_FUZZ_EXAMPLES": examples}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         "tests/api/test_fuzz_live.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [line for line in run.stdout.splitlines() if line.startswith("FUZZ ")]
    if not lines:
        sys.stderr.write(run.stdout[-4000:] + run.stderr[-4000:])
        return 1
    figures = json.loads(lines[-1].removeprefix("FUZZ "))
    figures.update(
        examples=int(examples),
        seconds=round(time.monotonic() - started, 1),
        passed=run.returncode == 0,
    )
    print(json.dumps(figures))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
