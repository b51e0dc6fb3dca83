from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "mentorhaven.library"
    label = "library"
    verbose_name = "Program library: articles, links, documents and videos"

    def ready(self) -> None:
        from mentorhaven.library import audit_actions, inventory  # noqa: F401 (declarations)
