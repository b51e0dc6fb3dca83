"""Pages for personal access tokens: list, create (secret shown once), revoke."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mentorhaven.accounts.models import ApiToken, SignedInRequest, User
from mentorhaven.accounts.tokens import (
    MAX_DAYS,
    NAME_MAX_LENGTH,
    access_api_token,
    api_token_create,
    api_token_revoke,
    api_tokens_for,
)
from mentorhaven.kernel.errors import ValidationFailed


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX_LENGTH,
        help_text=gettext_lazy("What the token is for, e.g. “reporting script”."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )
    days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
    )


def _person(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every view here is behind login_required
    return request.user


def _page(request: HttpRequest, form: TokenForm, *, created=None, secret=None, status=200):
    context = {
        "form": form,
        "tokens": api_tokens_for(viewer=_person(request)),
        "created": created,
        "secret": secret,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def tokens(request: SignedInRequest) -> HttpResponse:
    """List the person's tokens; on POST create one and show its secret in this response only.

    Creating one needs the password or second factor again within allauth's re-authentication
    window: otherwise allauth asks for it, then replays the form. The secret is rendered
    straight into the POST response (never kept in the session or database), so it cannot be
    shown a second time.
    """
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    try:
        person = _person(request)
        token, secret = api_token_create(actor=person, user=person, **form.cleaned_data)
    except ValidationFailed as exc:
        for field, message in exc.extra.get("errors", {}).items():
            form.add_error(field if field in form.fields else None, message)
        return _page(request, form, status=422)
    return _page(request, TokenForm(), created=token, secret=secret, status=201)


@login_required
@require_POST
def token_revoke(request: SignedInRequest, public_id) -> HttpResponse:
    token = access_api_token(_person(request), public_id, write=True)
    api_token_revoke(actor=_person(request), token=token)
    messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
    return redirect("account_tokens")
