from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "mentorhaven.reporting"
    label = "reporting"
    verbose_name = "Reporting: k-anonymous dashboards and aggregate exports"

    def ready(self) -> None:
        from mentorhaven.reporting import audit_actions, inventory  # noqa: F401 (declarations)
