from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class RetentionConfig(AppConfig):
    name = "mentorhaven.retention"
    label = "retention"
    verbose_name = "Retention and legal hold"

    def ready(self) -> None:
        # The built-in sweepers (messages, notes, share links, inactive accounts), then every
        # installed app's ``retention_sweepers.py`` adding its own (``register_sweeper``).
        from mentorhaven.retention import sweepers  # noqa: F401

        autodiscover_modules("retention_sweepers")
