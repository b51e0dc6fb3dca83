"""The assistant keeps no personal data: its tables hold an organization's endpoint settings
and token counts. Suggestions are never stored unless accepted, and then as the person's own
goal (mentoring.Goal, mentoring.Milestone)."""

from mentorhaven.kernel.inventory import exempt

exempt(
    "assistant.AssistantSettings",
    "an organization's model endpoint, model name, key file path and token budget, chosen by "
    "its operators: no person, no content",
    fields=["base_url", "model", "key_file", "monthly_token_budget"],
)
exempt(
    "assistant.TokenUsage",
    "how many tokens and calls an organization used in a month: no person, no content",
    fields=["tokens", "calls"],
)
