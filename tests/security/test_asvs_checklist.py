"""The ASVS checklist (docs/security/asvs.csv) stays complete and every claim names a real test.

Rules the file is held to:

- every Level 1 and Level 2 requirement id of OWASP ASVS 5.0.0 has exactly one row, and no row
  names an id that is not one of them or one of the Level 3 requirements we chose to meet too (the
  ids are kept in ``asvs_reference_ids.txt`` beside this file; when the standard's own CSV is at
  hand it is compared with that list too);
- ``applicable`` is ``yes`` or ``no``; a requirement that does not apply says why in ``note`` and
  has status ``n/a``;
- an applicable requirement is ``met``, ``partial`` or ``not-met``; ``met`` and ``partial`` name in
  ``evidence`` the pytest node ids (``tests/path.py::test_name``, a parametrized ``[id]`` allowed)
  of tests that exist; ``partial`` and ``not-met`` say in ``note`` what is missing;
- the counts in docs/security/asvs.md are the counts of the CSV.
"""

from __future__ import annotations

import ast
import csv
import os
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKLIST = ROOT / "docs" / "security" / "asvs.csv"
SUMMARY = ROOT / "docs" / "security" / "asvs.md"
REFERENCE_IDS = Path(__file__).with_name("asvs_reference_ids.txt")
COLUMNS = ["id", "applicable", "status", "evidence", "note"]
STATUSES = {"met", "partial", "not-met"}
_NODE = re.compile(r"^(tests/[\w/]+\.py)::(\w+)(?:::(\w+))?(?:\[[^\]\s]+\])?$")


def reference_ids() -> dict[str, int]:
    ids = {}
    for line in REFERENCE_IDS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement, level = line.split()
            ids[requirement] = int(level)
    return ids


def _standard_csv() -> Path | None:
    """The standard's own CSV, when this machine has it (it is not part of the repository)."""
    candidates = [os.environ.get("MENTORHAVEN_ASVS_REFERENCE", "")]
    candidates += [
        str(parent / "shared" / "reference" / "asvs-5.0.0.csv") for parent in ROOT.parents[:2]
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def read_rows(path: Path = CHECKLIST) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@cache
def _tests_in(path: str) -> frozenset[str]:
    """``name`` and ``Class::name`` of every test function defined in a test file."""
    file = ROOT / path
    if not file.is_file():
        return frozenset()
    found: set[str] = set()
    for node in ast.parse(file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.add(f"{node.name}::{item.name}")
    return frozenset(found)


def evidence_problem(node_id: str) -> str | None:
    """Why ``node_id`` does not name an existing test, or None when it does."""
    match = _NODE.match(node_id)
    if not match:
        return "is not a pytest node id like tests/path.py::test_name"
    path, first, second = match.groups()
    name = f"{first}::{second}" if second else first
    if not (second or first).startswith("test"):
        return "does not name a test function"
    if not (ROOT / path).is_file():
        return "names a file that does not exist"
    if name not in _tests_in(path):
        return "names a test that is not in that file"
    return None


def row_problems(row: dict[str, str]) -> list[str]:
    """Every rule a single row breaks, in words."""
    problems = []
    applicable, status = row.get("applicable", ""), row.get("status", "")
    evidence = (row.get("evidence") or "").split()
    note = (row.get("note") or "").strip()
    if applicable == "no":
        if status != "n/a":
            problems.append("a requirement that does not apply has status n/a")
        if not note:
            problems.append("a requirement that does not apply needs a note saying why")
    elif applicable == "yes":
        if status not in STATUSES:
            problems.append(f"status must be one of {sorted(STATUSES)}")
        if status in ("met", "partial") and not evidence:
            problems.append(f"a {status} requirement needs evidence")
        if status in ("partial", "not-met") and not note:
            problems.append(f"a {status} requirement needs a note saying what is missing")
    else:
        problems.append("applicable must be yes or no")
    for node_id in evidence:
        problem = evidence_problem(node_id)
        if problem:
            problems.append(f"evidence {node_id} {problem}")
    return problems


def counts(rows: list[dict[str, str]]) -> dict[str, int]:
    """The Level 1 and 2 figures (the Level 3 rows are summarised on their own)."""
    levels = reference_ids()
    rows = [row for row in rows if levels.get(row["id"], 3) <= 2]
    applicable = [row for row in rows if row["applicable"] == "yes"]
    statuses = Counter(row["status"] for row in applicable)
    return {
        "requirements": len(rows),
        "applicable": len(applicable),
        "met": statuses["met"],
        "partial": statuses["partial"],
        "not-met": statuses["not-met"],
        "not applicable": len(rows) - len(applicable),
    }


# --- the checklist itself ---------------------------------------------------------------------


def test_the_checklist_has_the_agreed_columns():
    columns, _rows = read_rows()
    assert columns == COLUMNS


def test_every_level_1_and_2_requirement_has_exactly_one_row():
    _columns, rows = read_rows()
    ids = [row["id"] for row in rows]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert duplicates == []
    levels = reference_ids()
    expected = {i for i, level in levels.items() if level <= 2}
    assert sorted(expected - set(ids)) == [], "requirements missing from the checklist"
    assert sorted(set(ids) - set(levels)) == [], "rows that are not ids of the stored list"


def test_the_id_list_matches_the_standard_when_it_is_at_hand():
    standard = _standard_csv()
    if standard is None:
        pytest.skip("the standard's CSV is not on this machine; the stored id list is used")
    with standard.open(encoding="utf-8", newline="") as handle:
        levels = {row["req_id"]: int(row["L"]) for row in csv.DictReader(handle)}
    stored = reference_ids()
    assert {i: level for i, level in levels.items() if level <= 2} == {
        i: level for i, level in stored.items() if level <= 2
    }
    assert all(levels[i] == level for i, level in stored.items()), "a Level 3 id is misfiled"


def test_every_row_follows_the_rules_and_names_only_existing_tests():
    _columns, rows = read_rows()
    broken = {row["id"]: row_problems(row) for row in rows if row_problems(row)}
    assert broken == {}


def test_the_summary_page_states_the_checklists_counts():
    _columns, rows = read_rows()
    page = SUMMARY.read_text(encoding="utf-8")
    for label, number in counts(rows).items():
        assert f"| {label} | {number} |" in page, f"asvs.md should say | {label} | {number} |"


# --- the checker catches what it is meant to catch -------------------------------------------

_GOOD = "tests/security/test_asvs_checklist.py::test_the_checklist_has_the_agreed_columns"


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ({"applicable": "yes", "status": "met", "evidence": "", "note": ""}, "needs evidence"),
        ({"applicable": "yes", "status": "partial", "evidence": _GOOD, "note": ""}, "needs a note"),
        ({"applicable": "yes", "status": "not-met", "evidence": "", "note": ""}, "needs a note"),
        ({"applicable": "yes", "status": "done", "evidence": _GOOD, "note": ""}, "status must"),
        ({"applicable": "no", "status": "met", "evidence": "", "note": "x"}, "status n/a"),
        ({"applicable": "no", "status": "n/a", "evidence": "", "note": ""}, "saying why"),
        ({"applicable": "maybe", "status": "n/a", "evidence": "", "note": "x"}, "yes or no"),
        (
            {"applicable": "yes", "status": "met", "evidence": "tests/nowhere.py::test_x"},
            "file that does not exist",
        ),
        (
            {
                "applicable": "yes",
                "status": "met",
                "evidence": "tests/security/test_asvs_checklist.py::test_nothing_of_the_kind",
            },
            "not in that file",
        ),
        (
            {"applicable": "yes", "status": "met", "evidence": "test_asvs_checklist.py"},
            "not a pytest node id",
        ),
        (
            {"applicable": "yes", "status": "met", "evidence": "tests/security/urlwalk.py::walk"},
            "not name a test function",
        ),
    ],
)
def test_the_checker_refuses_each_kind_of_bad_row(row, complaint):
    problems = row_problems(row)
    assert any(complaint in problem for problem in problems), problems


def test_the_checker_accepts_plain_and_parametrized_ids():
    parametrized = (
        "tests/security/test_asvs_checklist.py::test_the_checker_refuses_each_kind_of_bad_row[x-y]"
    )
    assert evidence_problem(parametrized) is None
    assert row_problems({"applicable": "yes", "status": "met", "evidence": _GOOD}) == []
    assert (
        row_problems(
            {
                "applicable": "yes",
                "status": "partial",
                "evidence": f"{_GOOD} {parametrized}",
                "note": "n",
            }
        )
        == []
    )


def test_the_checker_notices_a_missing_requirement(tmp_path):
    _columns, rows = read_rows()
    shortened = tmp_path / "asvs.csv"
    with shortened.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows[1:])
    _columns, fewer = read_rows(shortened)
    assert set(reference_ids()) - {row["id"] for row in fewer} == {rows[0]["id"]}
    assert rows[0]["id"] in {i for i, level in reference_ids().items() if level <= 2}
