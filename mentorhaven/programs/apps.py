from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "mentorhaven.programs"
    label = "programs"
    verbose_name = "Organizations and programs"

    def ready(self) -> None:
        # Organizations are this app's facts; the kernel asks for them through its directory.
        from mentorhaven.kernel import directory
        from mentorhaven.programs.selectors import (
            organization_ids_of,
            security_officer_addresses,
        )

        directory.register(
            organizations_of=organization_ids_of,
            officer_addresses=security_officer_addresses,
        )
