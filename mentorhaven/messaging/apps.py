from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "mentorhaven.messaging"
    label = "messaging"
    verbose_name = "Messaging"
