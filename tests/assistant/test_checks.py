"""Data minimisation by declaration: the system checks refuse an unknown use and a prompt field
that the inventory does not declare usable for AI."""

from __future__ import annotations

from dataclasses import replace

from mentorhaven.assistant.checks import prompt_field_errors
from mentorhaven.assistant.features import PROMPT_FIELDS
from mentorhaven.kernel import inventory
from mentorhaven.kernel.checks import invalid_declarations


def test_every_prompt_field_is_declared_usable_for_ai():
    assert prompt_field_errors() == []
    assert "mentoring.note.body" in PROMPT_FIELDS


def test_a_prompt_field_not_declared_for_ai_fails_the_check():
    errors = prompt_field_errors(["mentoring.relationship.end_note"])
    assert [e.id for e in errors] == ["mentorhaven.E013"]


def test_an_unregistered_use_fails_the_inventory_check():
    declaration = inventory.REGISTRY["mentoring.goal"]
    title = declaration.fields["title"]
    broken = replace(declaration, fields={"title": replace(title, uses=("telepathy",))})
    errors = invalid_declarations({"mentoring.goal": broken}, {})
    assert "mentorhaven.E012" in [e.id for e in errors]
    assert not [
        e
        for e in invalid_declarations({"mentoring.goal": declaration}, {})
        if e.id == "mentorhaven.E012"
    ]


def test_private_fields_are_not_usable_for_ai():
    assert not inventory.usable_for("mentoring.relationship.end_note", "ai_features")
    assert not inventory.usable_for("messaging.message.body", "ai_features")
    assert inventory.usable_for("mentoring.goal.title", "ai_features")
