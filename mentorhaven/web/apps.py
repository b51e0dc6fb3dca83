from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mentorhaven.web"
    label = "web"
    verbose_name = "Web pages"
