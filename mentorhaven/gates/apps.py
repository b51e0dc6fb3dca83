from django.apps import AppConfig


class GatesConfig(AppConfig):
    name = "mentorhaven.gates"
    label = "gates"
    verbose_name = "Onboarding gates and break-glass"

    def ready(self) -> None:
        from mentorhaven.gates import audit_actions, inventory  # noqa: F401 (declarations)
