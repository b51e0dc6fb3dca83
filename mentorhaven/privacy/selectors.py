"""Reads of the privacy app: a person's data exports, and how long their archives live."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from mentorhaven.privacy.access import visible_exports
from mentorhaven.programs.models import OrgMembership
from mentorhaven.retention.domain import RULES, Kind
from mentorhaven.retention.models import RetentionPolicy

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def exports_for(*, viewer: User, limit: int = 5):
    """The viewer's most recent exports, newest first."""
    return list(visible_exports(viewer).order_by("-created_at", "-pk")[:limit])


def _organization_export_days() -> dict[int, int]:
    """The "exports" period each organization set on its retention page (organization level:
    an archive holds data of every program at once, so program-level periods do not apply)."""
    return dict(
        RetentionPolicy.objects.filter(category=Kind.EXPORTS, program__isnull=True).values_list(
            "organization_id", "days"
        )
    )


def export_lifetimes(
    user_ids: Iterable[int], *, days_of_organization: Callable[[int], int] | None = None
) -> dict[int, timedelta]:
    """How long each person's export archives live. Policy: the shortest "exports" retention
    period among the organizations the person belongs to (each organization's admins choose it
    within 1-30 days; 7 by default), and the default for someone in none. The archive holds the
    data of every organization the person is in, so the strictest of them decides.
    ``days_of_organization`` lets the retention sweep pass the periods it has already read."""
    rule = RULES[Kind.EXPORTS]
    lookup: Callable[[int], int | None] = days_of_organization or _organization_export_days().get
    ids = set(user_ids)
    days: dict[int, int] = {}
    for user_id, org_id in (
        OrgMembership.objects.filter(user_id__in=ids)
        .values_list("user_id", "organization_id")
        .distinct()
    ):
        org_days = lookup(org_id) or rule.default_days
        days[user_id] = min(days.get(user_id, org_days), org_days)
    return {pk: timedelta(days=days.get(pk, rule.default_days)) for pk in ids}


def export_lifetime_for(*, viewer: User) -> timedelta:
    """How long the viewer's next export archive will be kept (``export_lifetimes``)."""
    return export_lifetimes([viewer.pk])[viewer.pk]
