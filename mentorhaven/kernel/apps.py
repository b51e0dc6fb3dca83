from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "mentorhaven.kernel"
    label = "kernel"
    verbose_name = "Privacy kernel"
