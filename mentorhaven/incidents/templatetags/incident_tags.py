"""What the incident app adds to a person's "Account security" page: their recent sign-ins (from
the audit log, through the kernel), how many API tokens are live, and "This wasn't me"."""

from __future__ import annotations

from django import template
from django.utils import timezone

from mentorhaven.accounts.models import ApiToken
from mentorhaven.kernel import audit

register = template.Library()

SIGN_IN_ACTIONS = ("auth.login", "auth.login_failed", "auth.login_locked")


@register.inclusion_tag("incidents/_account_security.html", takes_context=True)
def account_security_extra(context) -> dict:
    user = context["request"].user
    return {
        "sign_ins": audit.recent_events_about(user, actions=SIGN_IN_ACTIONS, limit=10),
        "live_tokens": ApiToken.objects.filter(
            user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).count(),
    }
