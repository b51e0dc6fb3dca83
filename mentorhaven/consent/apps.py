from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "mentorhaven.consent"
    label = "consent"
    verbose_name = "Consent and data requests"
