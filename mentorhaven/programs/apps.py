from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "mentorhaven.programs"
    label = "programs"
    verbose_name = "Organizations and programs"
