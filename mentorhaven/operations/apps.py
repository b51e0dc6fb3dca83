from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "mentorhaven.operations"
    label = "operations"
    verbose_name = "Operations: health, metrics, backups"
