from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class KernelConfig(AppConfig):
    name = "mentorhaven.kernel"
    label = "kernel"
    verbose_name = "Privacy kernel"

    def ready(self) -> None:
        # Every installed app's inventory.py declares its personal data; the kernel declares its
        # own tables and the third-party ones. Then the check that nothing was forgotten.
        from mentorhaven.kernel import checks, declarations  # noqa: F401

        autodiscover_modules("inventory")
        # Every installed app's audit_actions.py declares the audit actions it records.
        autodiscover_modules("audit_actions")
        # Every installed app's schedules.py registers its periodic jobs (kernel/schedule.py).
        from mentorhaven.kernel import schedule

        schedule.autodiscover()
