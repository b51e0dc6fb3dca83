"""API about what MentorHaven keeps about the signed-in person and who accessed it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Query, Router, Schema

from mentorhaven.api_common import AUTH_ERRORS, PageParams, page
from mentorhaven.kernel.inventory import data_map
from mentorhaven.privacy.access_log import access_groups_for, describe

router = Router(tags=["privacy"])


class DataFieldOut(Schema):
    """One kind of data, in plain language (never a table or column name)."""

    record: str
    label: str
    purpose: str
    basis: str
    basis_text: str
    visible_to: list[str]
    retention: str
    erasure: str
    erasure_text: str
    records: int


class DataCategoryOut(Schema):
    category: str
    label: str
    examples: str
    records: int
    fields: list[DataFieldOut]


class DataMapOut(Schema):
    categories: list[DataCategoryOut]


@router.get("/me/data-map", response={200: DataMapOut, **AUTH_ERRORS}, summary="What we keep")
def me_data_map(request):
    """Every kind of personal data MentorHaven keeps, in plain words: why, for how long, who can
    see it, and how many records holding it there are about you — generated from the data
    inventory. A record counts in a category when it holds a value of that category."""
    return {"categories": data_map(request.auth)}


class AccessActorOut(Schema):
    kind: Literal["you", "person", "system", "unknown"]
    name: str
    role: str


class AccessEventOut(Schema):
    """One line of the log: the same reader, action, purpose and day, ``count`` times."""

    at: datetime
    first_at: datetime
    day: date
    count: int
    who: AccessActorOut
    action: str
    action_label: str
    category: str
    category_label: str
    purpose: str


class AccessLogPage(Schema):
    items: list[AccessEventOut]
    count: int


@router.get(
    "/me/access-log", response={200: AccessLogPage, **AUTH_ERRORS}, summary="Who accessed my data"
)
def me_access_log(request, params: Query[PageParams], include_own: bool = True):
    """Every audit event about you, grouped by who, what, why and day, newest first: who (name
    and role, or "MentorHaven system"), what kind of data, when, how often and why. Events
    about other people never appear here. ``limit`` is at most 200."""
    groups = access_groups_for(viewer=request.auth, include_own=include_own)
    result = page(groups, params)
    result["items"] = describe(viewer=request.auth, groups=result["items"])
    return result
