"""Containment from an incident's page: stop the account believed compromised from acting.

``incident_contain`` does, in one transaction, what the officer ticks: lock the account (it can
no longer sign in, and every access rule treats it as reaching nothing), end every session it
has (their cookies stop working on the next request; the account's open sockets are told to
check their session at once and close with 4401, as each also does on every delivery), revoke
its API tokens, its file share links and its private calendar feed. Nothing is deleted: revoked
credentials stay as evidence. Each revoked token is audited by the accounts service; the
containment itself is one audit event with the counts, and a line of the incident's log.

This service is the one place that revokes another person's share links and calendar feed in
bulk: the files and mentoring services revoke one's own, one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import ApiToken, User
from mentorhaven.accounts.realtime import sockets_recheck_on_commit
from mentorhaven.accounts.tokens import api_token_revoke
from mentorhaven.files.models import ShareLink
from mentorhaven.incidents.access import access_incident
from mentorhaven.incidents.models import Incident
from mentorhaven.incidents.services import ROLE, action_entry
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, ValidationFailed
from mentorhaven.mentoring.models import CalendarFeed

STEPS = ("lock", "sessions", "tokens", "share_links", "calendar_feeds")


@dataclass(frozen=True)
class Contained:
    locked: bool
    sessions: int
    tokens: int
    share_links: int
    calendar_feeds: int

    def as_extra(self) -> dict[str, Any]:
        return {
            "locked": self.locked,
            "sessions": self.sessions,
            "tokens": self.tokens,
            "share_links": self.share_links,
            "calendar_feeds": self.calendar_feeds,
        }


def lock_account(account: User) -> bool:
    if not account.is_active:
        return False
    account.is_active = False
    account.save(update_fields=["is_active"])
    # A locked account is signed in nowhere: its open sockets check again and close at once,
    # even when the officer does not also end its sessions.
    sockets_recheck_on_commit(account)
    return True


def end_sessions(account: User) -> int:
    sessions = list(UserSession.objects.filter(user=account))
    get_usersessions_adapter().end_sessions(sessions)
    return len(sessions)


def revoke_tokens(actor: User | None, account: User) -> int:
    tokens = list(ApiToken.objects.filter(user=account, revoked_at__isnull=True))
    for token in tokens:
        api_token_revoke(actor=actor, token=token, tell=False)
    return len(tokens)


def revoke_share_links(account: User) -> int:
    return ShareLink.objects.filter(created_by=account, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def revoke_calendar_feed(account: User) -> int:
    return CalendarFeed.objects.filter(user=account).delete()[0]


def contain_account(*, actor: User | None, account: User, steps=STEPS) -> Contained:
    """The containment steps themselves (no access check, no audit): the incident page and the
    "this wasn't me" button both use them."""
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValidationFailed(_("Unknown containment step."))
    return Contained(
        locked=lock_account(account) if "lock" in steps else False,
        sessions=end_sessions(account) if "sessions" in steps else 0,
        tokens=revoke_tokens(actor, account) if "tokens" in steps else 0,
        share_links=revoke_share_links(account) if "share_links" in steps else 0,
        calendar_feeds=revoke_calendar_feed(account) if "calendar_feeds" in steps else 0,
    )


@transaction.atomic
def incident_contain(*, actor: User, incident_id: Any, steps=STEPS) -> Contained:
    """Contain the incident's account (see the module docstring). The account must be named
    on the incident and still belong to its organization; an officer cannot lock themself."""
    incident: Incident = access_incident(actor, incident_id, write=True)
    if incident.stage == Incident.Stage.CLOSED:
        raise Conflict(_("This incident is closed."))
    account = incident.account
    if (
        account is None
        or not account.org_memberships.filter(organization=incident.organization).exists()
    ):
        raise ValidationFailed(_("Name the compromised account on the incident first."))
    if account.pk == actor.pk:
        raise ValidationFailed(_("Another security officer must contain your own account."))
    if not steps:
        raise ValidationFailed(_("Choose at least one containment step."))
    account = User.objects.select_for_update().get(pk=account.pk)
    done = contain_account(actor=actor, account=account, steps=steps)
    audit.record(
        action="incident.contain",
        actor=actor,
        actor_role=ROLE,
        target=incident,
        subject=account,
        purpose="Compromised account contained",
        organization=incident.organization,
        extra=done.as_extra(),
    )
    action_entry(
        actor=actor,
        incident=incident,
        body=_(
            "Contained the account: locked %(locked)s, %(sessions)d sessions ended, "
            "%(tokens)d API tokens, %(links)d share links and %(feeds)d calendar feeds revoked."
        )
        % {
            "locked": _("yes") if done.locked else _("no"),
            "sessions": done.sessions,
            "tokens": done.tokens,
            "links": done.share_links,
            "feeds": done.calendar_feeds,
        },
    )
    return done


@transaction.atomic
def incident_account_unlock(*, actor: User, incident_id: Any) -> User:
    """Give the incident's account back once the officers are satisfied it is its holder's
    again: it may sign in (its sessions, tokens and links stay revoked; the holder makes new
    ones). Audited and logged on the incident."""
    incident: Incident = access_incident(actor, incident_id, write=True)
    account = incident.account
    if account is None or account.is_active:
        raise Conflict(_("The account is not locked."))
    if account.pk == actor.pk:
        raise ValidationFailed(_("Another security officer must unlock your own account."))
    account = User.objects.select_for_update().get(pk=account.pk)
    account.is_active = True
    account.save(update_fields=["is_active"])
    audit.record(
        action="incident.unlock",
        actor=actor,
        actor_role=ROLE,
        target=incident,
        subject=account,
        purpose="Contained account given back",
        organization=incident.organization,
    )
    action_entry(actor=actor, incident=incident, body=_("Unlocked the account."))
    return account
