from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentorhaven.mentoring"
    label = "mentoring"
    verbose_name = "Mentoring"
