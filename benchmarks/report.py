"""The benchmark report: every JSON line the benchmarks printed, as one JSON file and a page.

    .venv/bin/python benchmarks/report.py LINES.jsonl [--json var/bench/report.json]
        [--markdown docs/performance.md]

``make bench`` runs every ``benchmarks/bench_*.py`` with its output appended to
``var/bench/lines.jsonl`` (each script prints one JSON line per case; anything else on stdout
is ignored), then this script. The page lists, per case: whether every goal it states is met
(a boolean named ``ok`` or ``met``, ending in ``_met`` or starting with ``meets_``), the figures it
measured next to the goals it states (``target_*``, ``goal_*``), and the machine it ran on.
A case that states no goal is listed as "reported" (a comparison or a figure without a goal).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GOAL_PREFIXES = ("target_", "goal_")
VERDICT_KEYS = ("ok", "met")  # and any key ending in "_met" or starting with "meets_"
SKIPPED_KEYS = {
    "name", "case", "benchmark", "machine", "note", "passes_events_per_s", "pages", "not_measured",
    "platform", "python", "postgresql",
}  # fmt: skip


def read_lines(path: Path) -> list[dict[str, Any]]:
    cases = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(case, dict):
            cases.append(case)
    return cases


def case_name(case: dict[str, Any]) -> str:
    """The case's name, whichever key its benchmark used for it."""
    return str(case.get("name") or case.get("case") or case.get("benchmark") or "?")


def verdict(case: dict[str, Any]) -> str:
    flags = [
        value
        for key, value in case.items()
        if isinstance(value, bool)
        and (key in VERDICT_KEYS or key.endswith("_met") or key.startswith("meets_"))
    ]
    if not flags:
        return "reported"
    return "met" if all(flags) else "NOT met"


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def figures(case: dict[str, Any]) -> tuple[str, str]:
    """(measured figures, stated goals) as short text: scalar keys only."""
    measured, goals = [], []
    for key, value in case.items():
        if key in SKIPPED_KEYS or isinstance(value, dict | list) or key.endswith("_met"):
            continue
        if key in VERDICT_KEYS or key.startswith("meets_"):
            continue
        text = f"{key} {_plain(value)}"
        (goals if key.startswith(GOAL_PREFIXES) else measured).append(text)
    return "; ".join(measured[:8]), "; ".join(goals)


def machine(cases: list[dict[str, Any]]) -> dict[str, Any]:
    for case in cases:
        if isinstance(case.get("machine"), dict):
            return case["machine"]
    return {}


def markdown(cases: list[dict[str, Any]], generated: str) -> str:
    met = sum(verdict(c) == "met" for c in cases)
    missed = list(dict.fromkeys(case_name(c) for c in cases if verdict(c) == "NOT met"))
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`benchmarks/report.py`) from the JSON line each benchmark case",
        "printed; the figures, goals and verdicts are the benchmarks' own. Each script's docstring",
        "says what it measures and how. Figures from one run on a shared machine vary: the issue",
        "notes report the median of three runs.",
        "",
        f"Generated {generated}. {len(cases)} cases: {met} meet their goals, "
        f"{sum(verdict(c) == 'NOT met' for c in cases)} do not"
        + (f" ({', '.join(missed)})" if missed else "")
        + f", {sum(verdict(c) == 'reported' for c in cases)} report figures without a goal.",
        "",
        "| case | verdict | measured | goal |",
        "| --- | --- | --- | --- |",
    ]
    for case in cases:
        measured, goals = figures(case)
        name = case_name(case)
        lines.append(f"| `{name}` | {verdict(case)} | {measured} | {goals} |")
    host = machine(cases)
    if host:
        lines += ["", "Machine: " + ", ".join(f"{k} {v}" for k, v in host.items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", type=Path)
    parser.add_argument("--json", type=Path, default=Path("var/bench/report.json"))
    parser.add_argument("--markdown", type=Path, default=Path("docs/performance.md"))
    args = parser.parse_args(argv)
    cases = read_lines(args.lines)
    if not cases:
        print(f"no benchmark results in {args.lines}", file=sys.stderr)
        return 1
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = {
        "generated": generated,
        "cases": [{"verdict": verdict(c), **c} for c in cases],
        "machine": machine(cases),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    args.markdown.write_text(markdown(cases, generated))
    print(f"{len(cases)} cases → {args.json} and {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
