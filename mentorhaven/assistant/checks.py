"""The assistant's system check: every field a feature puts into a prompt is declared usable
for AI in the data inventory (``Field.uses``). The gateway refuses an undeclared piece at run
time too; this check catches it at start-up, before any call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig
from django.core import checks

from mentorhaven.kernel import inventory


def prompt_field_errors(fields: Iterable[str] | None = None) -> list[checks.Error]:
    from mentorhaven.assistant.features import PROMPT_FIELDS
    from mentorhaven.assistant.gateway import AI

    errors = []
    for label in PROMPT_FIELDS if fields is None else fields:
        if not inventory.usable_for(label, AI):
            errors.append(
                checks.Error(
                    f"The AI assistant puts {label} into prompts, but the data inventory does "
                    "not declare it usable for AI assistance.",
                    hint="Add uses=(Purpose.AI.value,) to its Field(...) in the app's "
                    "inventory.py, or stop sending it.",
                    id="mentorhaven.E013",
                )
            )
    return errors


@checks.register(checks.Tags.security, "mentorhaven")
def check_prompt_fields(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.Error]:
    return prompt_field_errors()
