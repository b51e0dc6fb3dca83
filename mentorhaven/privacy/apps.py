from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "mentorhaven.privacy"
    label = "privacy"
    verbose_name = "Privacy"
