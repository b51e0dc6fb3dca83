"""Monitoring: rules over recent audit events that raise alerts to security officers.

Every few minutes (``schedules.py``) each rule counts, over the last ``window`` of the audit
log, how often each account appears in the rule's actions (``audit.activity``, by pseudonym);
accounts at or over the rule's threshold are re-identified with the keys among everyone with an
account, and an alert is raised to the security officers of each organization they belong to,
with an e-mail that names nobody. The same rule does not alert twice about the same account
within one window, so running again (or after a crash) raises nothing new.

Thresholds and the window come from ``settings.MONITORING`` (``DEFAULTS`` below fill in what it
leaves out). "A new address" is the client address of the account's most recently active
session when none of its other live sessions used it; an account with a single session has no
baseline and is not flagged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.incidents.models import Alert
from mentorhaven.kernel import audit, directory
from mentorhaven.mail import send_after_commit

log = logging.getLogger("mentorhaven.monitoring")


@dataclass(frozen=True)
class Rule:
    name: str
    actions: tuple[str, ...]
    by: str  # "actor": the account did it; "subject": it happened to the account
    distinct_subjects: bool = False  # count people touched, not events


RULES: tuple[Rule, ...] = (
    Rule(Alert.Rule.MASS_READ, ("data.read",), "actor", distinct_subjects=True),
    Rule(Alert.Rule.ACCESS_DENIED, ("access.denied",), "actor"),
    Rule(Alert.Rule.SIGN_IN_FAILURES, ("auth.login_failed",), "subject"),
    Rule(Alert.Rule.SIGN_IN_LOCKOUT, ("auth.login_locked",), "subject"),
    Rule(Alert.Rule.SECOND_FACTOR_RESET, ("mfa.remove", "mfa.recovery_codes"), "subject"),
    Rule(Alert.Rule.BULK_EXPORT, ("export.request", "export.download", "export.operator"), "actor"),
    Rule(Alert.Rule.TOKEN_NEW_ADDRESS, ("api_token.create",), "actor"),
)

DEFAULTS: dict[str, Any] = {
    "window_minutes": 15,
    "mass_read": 50,  # distinct people whose data one account read
    "access_denied": 20,  # refused requests by one account
    "sign_in_failures": 10,
    "sign_in_lockout": 1,
    "second_factor_reset": 1,
    "bulk_export": 3,
    "token_new_address": 1,
}


def thresholds() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "MONITORING", {})}


def _new_address(user_id: int) -> bool:
    sessions = list(
        UserSession.objects.filter(user_id=user_id)
        .order_by("-last_seen_at")
        .values_list("ip", flat=True)
    )
    if len(sessions) < 2:
        return False
    newest, others = sessions[0], set(sessions[1:])
    return bool(newest) and newest not in others


def _already(rule: str, user_id: int, organization_id: int, since: datetime) -> bool:
    return Alert.objects.filter(
        rule=rule, account_id=user_id, organization_id=organization_id, raised_at__gte=since
    ).exists()


def _tell_officers(organization_id: int, count: int) -> None:
    addresses = directory.security_officer_addresses(organization_id)
    if not addresses:
        return
    link = settings.SITE_URL + reverse("incidents:alerts")
    subject = _("MentorHaven: a security alert needs review")
    body = _(
        "Monitoring raised new security alerts in your organization (%(count)d). Sign in to "
        "review them: %(link)s"
    ) % {"count": count, "link": link}
    send_after_commit(lambda: send_mail(subject, body, None, addresses), "security alert")


@transaction.atomic
def alerts_raise(*, now: datetime | None = None) -> dict[str, int]:
    """Run every rule over the last window; returns the number of alerts raised per rule."""
    limits = thresholds()
    now = now or timezone.now()
    since = now - timedelta(minutes=int(limits["window_minutes"]))
    flagged: dict[str, dict[str, int]] = {}
    for rule in RULES:
        found = audit.activity(
            actions=rule.actions,
            since=since,
            until=now,
            by=rule.by,
            distinct_subjects=rule.distinct_subjects,
            at_least=max(1, int(limits[rule.name])),
        )
        if found:
            flagged[rule.name] = found
    raised: dict[str, int] = {}
    if not flagged:
        return raised
    pseudonyms = {p for found in flagged.values() for p in found}
    who = audit.resolve_actors(pseudonyms, User.objects.values_list("pk", flat=True))
    per_org: dict[int, int] = {}
    for name, found in flagged.items():
        for pseudonym, count in found.items():
            user_id = who.get(pseudonym)
            if user_id is None:
                continue
            if name == Alert.Rule.TOKEN_NEW_ADDRESS and not _new_address(user_id):
                continue
            for organization_id in directory.organizations_of(user_id):
                if _already(name, user_id, organization_id, since):
                    continue
                alert = Alert.objects.create(
                    organization_id=organization_id,
                    rule=name,
                    account_id=user_id,
                    count=count,
                    window_start=since,
                    window_end=now,
                    raised_at=now,
                )
                audit.record(
                    action="alert.raise",
                    target=alert,
                    purpose="Monitoring rule over the audit log",
                    organization=organization_id,
                    extra={"rule": name, "count": count},
                )
                raised[name] = raised.get(name, 0) + 1
                per_org[organization_id] = per_org.get(organization_id, 0) + 1
    for organization_id, count in per_org.items():
        _tell_officers(organization_id, count)
    return raised
