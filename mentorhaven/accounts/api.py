"""API about the signed-in person: ``/me`` and their personal access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from mentorhaven.accounts.selectors import user_has_mfa
from mentorhaven.accounts.tokens import (
    MAX_DAYS,
    NAME_MAX_LENGTH,
    SessionAuth,
    access_api_token,
    api_token_create,
    api_token_revoke,
    api_tokens_for,
    reauthentication_needed_error,
    recently_reauthenticated,
)
from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, PageParams, page
from mentorhaven.programs.selectors import roles_of

router = Router(tags=["me"])


class OrganizationRolesOut(Schema):
    public_id: UUID
    name: str
    roles: list[str]


class ProgramRolesOut(Schema):
    public_id: UUID
    name: str
    slug: str
    organization_public_id: UUID
    roles: list[str]


class MeOut(Schema):
    public_id: UUID
    email: str
    display_name: str
    time_zone: str = Field(description="The IANA zone the API's times are given in for you.")
    mfa_enabled: bool
    organizations: list[OrganizationRolesOut]
    programs: list[ProgramRolesOut]


class TokenOut(Schema):
    public_id: UUID
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenPage(Schema):
    items: list[TokenOut]
    count: int


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. Shown in this response only; store it now.")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    scope: Literal["read", "write"] = "read"
    days: int | None = Field(None, ge=1, le=MAX_DAYS)


def _grouped(rows, key, describe) -> list[dict]:
    groups: dict = {}
    for row in rows:
        obj = key(row)
        entry = groups.setdefault(obj.pk, {**describe(obj), "roles": []})
        entry["roles"].append(row.role)
    return list(groups.values())


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="Who am I")
def me(request):
    """The signed-in person and the roles they hold, per organization and per program."""
    user = request.auth
    org_roles, program_roles = roles_of(viewer=user)
    return {
        "public_id": user.public_id,
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "mfa_enabled": user_has_mfa(user),
        "organizations": _grouped(
            org_roles,
            lambda m: m.organization,
            lambda o: {"public_id": o.public_id, "name": o.name},
        ),
        "programs": _grouped(
            program_roles,
            lambda m: m.program,
            lambda p: {
                "public_id": p.public_id,
                "name": p.name,
                "slug": p.slug,
                "organization_public_id": p.organization.public_id,
            },
        ),
    }


@router.get("/tokens", response={200: TokenPage, **AUTH_ERRORS}, tags=["tokens"])
def token_list(request, params: Query[PageParams]):
    """The caller's own personal access tokens (never the secrets), newest first."""
    return page(api_tokens_for(viewer=request.auth), params)


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **AUTH_ERRORS},
    auth=[SessionAuth()],
    tags=["tokens"],
)
def token_create(request, data: TokenIn):
    """Create a token for yourself. Needs a browser session whose password or second factor
    was given again within the last 10 minutes (``/accounts/reauthenticate/``; otherwise 401
    with code ``reauthentication_required``): a token cannot mint tokens, and a stolen session
    cookie alone cannot either. You are told by e-mail; the lifetime is capped by your
    organizations' policy."""
    if not recently_reauthenticated(request):
        raise reauthentication_needed_error()
    token, secret = api_token_create(
        actor=request.auth, user=request.auth, name=data.name, scope=data.scope, days=data.days
    )
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "token": secret})


@router.delete(
    "/tokens/{uuid:public_id}", response={204: None, 404: ErrorOut, **AUTH_ERRORS}, tags=["tokens"]
)
def token_revoke(request, public_id: UUID):
    """Revoke one of your tokens (a write: read-scope tokens cannot do it)."""
    token = access_api_token(request.auth, public_id, write=True)
    api_token_revoke(actor=request.auth, token=token)
    return Status(204, None)
