from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "mentorhaven.incidents"
    label = "incidents"
    verbose_name = "Incident response and monitoring"
