"""The benchmark report says plainly which goals are met and which are not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import report


def test_each_case_gets_the_verdict_of_its_own_flags(tmp_path):
    lines = tmp_path / "lines.jsonl"
    lines.write_text(
        "a log line, not a result\n"
        + json.dumps({"name": "append", "events_per_s": 1624, "target_per_s": 2000,
                      "target_met": False, "machine": {"cpus": 2}}) + "\n"
        + json.dumps({"name": "export", "seconds": 19.6, "goal_seconds": 60, "ok": True}) + "\n"
        + json.dumps({"name": "ratio", "ratio": 0.93}) + "\n"
    )  # fmt: skip
    out_json, out_md = tmp_path / "report.json", tmp_path / "performance.md"
    assert report.main([str(lines), "--json", str(out_json), "--markdown", str(out_md)]) == 0
    verdicts = {c["name"]: c["verdict"] for c in json.loads(out_json.read_text())["cases"]}
    assert verdicts == {"append": "NOT met", "export": "met", "ratio": "reported"}
    page = out_md.read_text()
    assert "1 meet their goals, 1 do not (append)" in page
    assert "| `append` | NOT met | events_per_s 1,624 | target_per_s 2,000 |" in page


def test_no_results_is_an_error_not_an_empty_report(tmp_path):
    lines = tmp_path / "lines.jsonl"
    lines.write_text("Traceback (most recent call last):\n")
    md = tmp_path / "p.md"
    assert report.main([str(lines), "--json", str(tmp_path / "r.json"), "--markdown", str(md)]) == 1
    assert not md.exists()
