from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mentorhaven.accounts"
    label = "accounts"
    verbose_name = "Accounts"
