from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentorhaven.mentoring"
    label = "mentoring"
    verbose_name = "Mentoring"

    def ready(self) -> None:
        # Active relationships are the facts behind the MENTOR / MENTEE roles of kernel.access.
        from mentorhaven.kernel.access import register_role_source
        from mentorhaven.mentoring.access import relationship_roles

        register_role_source(relationship_roles)
