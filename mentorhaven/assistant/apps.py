from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "mentorhaven.assistant"
    label = "assistant"
    verbose_name = "AI assistance"

    def ready(self) -> None:
        from mentorhaven.assistant import audit_actions, checks, inventory  # noqa: F401
