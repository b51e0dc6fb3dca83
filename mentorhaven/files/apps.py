from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "mentorhaven.files"
    label = "files"
    verbose_name = "Files"
