from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "mentorhaven.matching"
    label = "matching"
    verbose_name = "Matching"
