"""Impact analysis for an incident: from the audit log, whose data a compromised account (or
anyone, in a time window) touched, and which kinds of data.

The grouping and the re-identification are the kernel's (``audit.impact``): this module picks
the candidates — the members of the incident's organization for an officer, everyone for the
operator's command — turns user ids into addresses, and records that the analysis was run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.kernel.inventory import Category

CATEGORIES = tuple(str(c) for c in Category)


@dataclass(frozen=True)
class Query:
    account: User | None
    since: datetime | None
    until: datetime | None
    categories: tuple[str, ...]


def parse_time(value: str | None, *, name: str) -> datetime | None:
    """An ISO 8601 time from a person (a date, or a date and time); naive means UTC."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            _("%(field)s is not a date or time (use ISO 8601, e.g. 2026-12-01T08:00).")
            % {"field": name}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build_query(
    *,
    account_email: str = "",
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    categories: Iterable[str] = (),
    people=None,
) -> Query:
    """Check an analysis request: a known account (among ``people`` when given), a window
    that ends after it starts, known categories. Something must narrow it: an account or a
    window."""
    account = None
    if account_email:
        found = (people if people is not None else User.objects.all()).filter(
            email__iexact=account_email.strip()
        )
        account = found.first()
        if account is None:
            raise ValidationFailed(_("No account has that e-mail address."))
    start = since if isinstance(since, datetime) else parse_time(since, name="from")
    end = until if isinstance(until, datetime) else parse_time(until, name="to")
    if start and end and end <= start:
        raise ValidationFailed(_("The end of the window must come after its start."))
    chosen = tuple(dict.fromkeys(c.strip() for c in categories if c and c.strip()))
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown:
        raise ValidationFailed(
            _("Unknown data category. Choose from: %(known)s.") % {"known": ", ".join(CATEGORIES)}
        )
    if account is None and start is None and end is None:
        raise ValidationFailed(_("Name a compromised account or a time window."))
    return Query(account, start, end, chosen)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@transaction.atomic
def impact_analysis(
    *, actor: Any, query: Query, candidates, organization=None, actor_role: str = ""
) -> dict[str, Any]:
    """Run the analysis; returns ``{"subjects": [{"email", "categories", "events"}], ...}``,
    the most touched first. ``candidates``: a queryset of the users who may be named. Running
    it is audited (counts only)."""
    found = audit.impact(
        candidates=candidates.values_list("pk", flat=True),
        actor=query.account,
        since=query.since,
        until=query.until,
        categories=query.categories,
    )
    emails = dict(User.objects.filter(pk__in=list(found.subjects)).values_list("pk", "email"))
    touched = sorted(
        (t for t in found.subjects.values() if t.user_id in emails),
        key=lambda t: (-t.events, emails[t.user_id]),
    )
    subjects = [
        {"email": emails[t.user_id], "categories": sorted(t.categories), "events": t.events}
        for t in touched
    ]
    audit.record(
        action="incident.impact",
        actor=actor,
        actor_role=actor_role,
        # No subject: the account under investigation must not learn of it from its access log.
        purpose="Impact of a security incident analysed",
        organization=organization,
        extra={"subjects": len(subjects), "events": found.events},
    )
    return {
        "subjects": subjects,
        "account": query.account.email if query.account else None,
        "from": _iso(query.since),
        "to": _iso(query.until),
        "categories": list(query.categories),
        "events": found.events,
        "erased_events": found.erased_events,
        "unidentified_events": found.unidentified_events,
    }
