"""Audit actions of accounts: sign-in, second factors, sessions, tokens (kernel/audit/)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("auth.login", sentence=_("{actor} signed in"))
declare("auth.login_failed", sentence=_("{actor} refused a sign-in to your account"))
declare("auth.login_locked", sentence=_("{actor} paused sign-ins to your account"))
declare("account.profile_update", sentence=_("{actor} changed your profile"))
declare(
    "account.email_change_start",
    sentence=_("{actor} asked to change your e-mail address (pending confirmation)"),
)
declare("account.password_change", sentence=_("{actor} changed your password"))
declare("account.password_reset", sentence=_("{actor} reset your password"))
declare("session.end", sentence=_("{actor} signed out other sessions of yours"))
declare("mfa.enrol", sentence=_("{actor} added a second factor to your account"))
declare("mfa.remove", sentence=_("{actor} removed a second factor from your account"))
declare("mfa.recovery_codes", sentence=_("{actor} made new recovery codes for your account"))
declare("api_token.create", category="platform", sentence=_("{actor} created an API token"))
declare("api_token.revoke", category="platform", sentence=_("{actor} revoked an API token"))
declare(
    "api_token.auth_failed",
    category="platform",
    sentence=_("{actor} refused a request made with an API token of yours"),
)
declare(
    "sso.configure",
    category="platform",
    sentence=_("{actor} changed the organization's single sign-on settings"),
)
declare(
    "sso.member_join",
    sentence=_("{actor} joined the organization by signing in through its provider"),
)
