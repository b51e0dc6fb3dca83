from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "mentorhaven.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        # Every installed app's erasure.py registers the steps that erase what it keeps about a
        # person (privacy/erasure/registry.py). The privacy app collects them; the kernel
        # imports none.
        from mentorhaven.privacy.erasure import steps  # noqa: F401

        autodiscover_modules("erasure")
        # Every installed app's export.py registers what a data export holds from it
        # (privacy/export/registry.py).
        autodiscover_modules("export")
