"""Single sign-on pages: the sign-in page's "use my organization's sign-in", and the org
admins' provider settings (accounts/sso.py; docs/security/sso.md)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from mentorhaven.accounts.forms import IdentityProviderForm, SingleSignOnStartForm
from mentorhaven.accounts.models import IdentityProvider, SignedInRequest, User
from mentorhaven.accounts.selectors import identity_provider_for_sign_in, identity_provider_of
from mentorhaven.accounts.services import identity_provider_configure
from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.programs.access import access_organization_admin


@never_cache
def sso_start(request: HttpRequest) -> HttpResponse:
    """Find the provider of a work address's domain or an organization's short name (``?org=``
    in a link the organization hands out), then show its "Sign in with …" button."""
    form = SingleSignOnStartForm(request.POST or None)
    idp = None
    if request.method == "GET" and request.GET.get("org"):
        idp = identity_provider_for_sign_in(request.GET["org"][:80])
    elif request.method == "POST" and form.is_valid():
        idp = identity_provider_for_sign_in(form.cleaned_data["who"])
        if idp is None:
            form.add_error(
                "who", _("No single sign-on is set up for that address or organization.")
            )
    login_url = (
        reverse("openid_connect_login", kwargs={"provider_id": idp.provider_id}) if idp else ""
    )
    return render(
        request, "accounts/sso_start.html", {"form": form, "idp": idp, "login_url": login_url}
    )


def _initial(idp: IdentityProvider | None) -> dict:
    if idp is None:
        return {"second_factor": IdentityProvider.SecondFactor.OURS, "enabled": True,
                "end_provider_session": True}  # fmt: skip
    return {
        "name": idp.name,
        "issuer": idp.issuer,
        "client_id": idp.client_id,
        "domains": "\n".join(idp.domain_list()),
        "second_factor": idp.second_factor,
        "accepted_mfa_claims": "\n".join(idp.mfa_claim_list()),
        "end_provider_session": idp.end_provider_session,
        "enabled": idp.enabled,
    }


@login_required
def sso_settings(request: SignedInRequest, org_id) -> HttpResponse:
    me = cast(User, request.user)
    organization = access_organization_admin(me, org_id)
    idp = identity_provider_of(organization)
    form = IdentityProviderForm(request.POST or None, initial=_initial(idp))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            identity_provider_configure(
                actor=me,
                organization=organization,
                name=data["name"],
                issuer=data["issuer"],
                client_id=data["client_id"],
                client_secret=data["client_secret"],
                domains=data["domains"].splitlines(),
                second_factor=data["second_factor"],
                accepted_mfa_claims=data["accepted_mfa_claims"].splitlines(),
                end_provider_session=data["end_provider_session"],
                enabled=data["enabled"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Single sign-on settings saved."))
            return redirect("sso_settings", org_id=org_id)
    callback = ""
    if idp is not None:
        path = reverse("openid_connect_callback", kwargs={"provider_id": idp.provider_id})
        callback = request.build_absolute_uri(path)
    return render(
        request,
        "accounts/sso_settings.html",
        {"organization": organization, "idp": idp, "form": form, "callback": callback},
    )
