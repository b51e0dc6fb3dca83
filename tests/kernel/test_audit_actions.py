"""Audit actions are declared once, in a registry; the audit package stays small and split."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mentorhaven.kernel import audit
from mentorhaven.kernel.audit import actions

PACKAGE = Path(audit.__file__).parent
SOURCE = PACKAGE.parents[1]
# Where the code names the action it records: record(action="..."), the apps' helpers
# (_audit("..."), content_audit("...")), a conditional (... else "..."), allauth's mapping.
ACTION_LITERALS = [
    re.compile(r'action="([a-z_]+\.[a-z_.]+)"'),
    re.compile(r'(?:_audit|content_audit)\(\s*"([a-z_]+\.[a-z_.]+)"'),
    re.compile(r'"[a-z_]+\.[a-z_.]+" if [^\n]+ else "([a-z_]+\.[a-z_.]+)"'),
    re.compile(r'\("(mfa\.[a-z_]+)", "[a-z_]+"\)'),
]


def _recorded_in_code() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts or path.is_relative_to(PACKAGE):
            continue
        text = path.read_text()
        for pattern in ACTION_LITERALS:
            for name in pattern.findall(text):
                found[name] = path
    return found


def test_every_action_the_code_records_is_declared():
    recorded = _recorded_in_code()
    assert len(recorded) > 60  # the scan finds the call sites
    undeclared = {name: str(path) for name, path in recorded.items() if name not in _declared()}
    assert undeclared == {}


def _declared() -> set[str]:
    return {a.name for a in audit.all_actions()}


def test_every_declared_action_explains_itself_in_a_sentence():
    for action in audit.all_actions():
        text = audit.sentence(action.name, "Ana Mentor")
        assert text.startswith("Ana Mentor ") or "Ana Mentor" in text, action.name
        assert action.category in actions.CATEGORIES | {""}


def test_declaring_an_action_twice_differently_or_badly_is_an_error():
    audit.declare("test.registry", sentence="{actor} tested the registry")
    audit.declare("test.registry", sentence="{actor} tested the registry")  # the same: fine
    with pytest.raises(audit.AuditError, match="twice"):
        audit.declare("test.registry", sentence="{actor} did something else")
    with pytest.raises(audit.AuditError, match="dotted"):
        audit.declare("Not An Action", sentence="{actor}")
    with pytest.raises(audit.AuditError, match="category"):
        audit.declare("test.badcategory", category="gossip", sentence="{actor}")


def test_an_undeclared_action_is_named_in_the_error():
    with pytest.raises(audit.AuditError, match=r"'test\.typo' is not declared"):
        audit.declared("test.typo")


def test_the_audit_package_is_split_by_job_into_small_modules():
    sizes = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.glob("*.py")}
    assert {
        "actions.py",
        "anchors.py",
        "chain.py",
        "checkpoints.py",
        "keys.py",
        "pseudonyms.py",
        "recording.py",
        "sealer.py",
        "sealing.py",
        "verification.py",
    } <= set(sizes)
    assert max(sizes.values()) < 400, sizes
    assert all(hasattr(audit, name) for name in audit.__all__)
