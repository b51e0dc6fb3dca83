"""Connect an organization to its own model server, or turn AI assistance off.

    mentorhaven assistant_configure ORG_SLUG --base-url http://127.0.0.1:8080/v1 \\
        --model qwen2.5-7b-instruct --key-file /etc/mentorhaven/ai.key --budget 500000
    mentorhaven assistant_configure ORG_SLUG --off

Policy: AI assistance is off until an operator runs this; the endpoint must be an
OpenAI-compatible chat-completions server the organization runs (vLLM, llama.cpp, Ollama). Even
then, each person's data is sent only while they consent. Safe to re-run.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentorhaven.assistant.services import assistant_settings_set
from mentorhaven.programs.models import Organization


class Command(BaseCommand):
    help = "Set an organization's AI model endpoint (OpenAI-compatible), or turn AI off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="the organization's slug")
        parser.add_argument("--base-url", default="")
        parser.add_argument("--model", default="")
        parser.add_argument("--key-file", default="", help="a file holding the API key")
        parser.add_argument("--budget", type=int, default=None, help="tokens per month")
        parser.add_argument("--off", action="store_true", help="turn AI assistance off")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError("No organization with that slug.")
        enabled = not options["off"]
        if enabled and not (options["base_url"] and options["model"]):
            raise CommandError("Give --base-url and --model, or --off.")
        try:
            config = assistant_settings_set(
                actor=None,
                organization=organization,
                enabled=enabled,
                base_url=options["base_url"],
                model=options["model"],
                key_file=options["key_file"],
                monthly_token_budget=options["budget"],
            )
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Not saved: {problems}") from error
        state = "on" if config.configured else "off"
        self.stdout.write(f"AI assistance is {state} for {organization.slug}.")
