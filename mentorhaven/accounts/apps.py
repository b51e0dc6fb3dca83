from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mentorhaven.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_set, user_logged_in
        from allauth.usersessions import signals as usersessions_signals

        # allauth.usersessions records a session at sign-in and after a password change under
        # the cookie's key in clear. MentorHaven records it under the stored hash instead
        # (accounts/usersessions.py: session_signed_in, UserSessionsMiddleware).
        user_logged_in.disconnect(receiver=usersessions_signals.on_user_logged_in)
        for signal in (password_set, password_changed):
            signal.disconnect(receiver=usersessions_signals.on_password_changed)
