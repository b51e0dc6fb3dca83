from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "mentorhaven.community"
    label = "community"
    verbose_name = "Program community: events and surveys"

    def ready(self) -> None:
        from mentorhaven.community import audit_actions, inventory  # noqa: F401 (declarations)
