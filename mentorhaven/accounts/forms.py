"""Account forms: invited sign-up, the profile, and allauth's second-factor code forms."""

from __future__ import annotations

from allauth.account.forms import SignupForm
from allauth.core import context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.accounts.domain import is_time_zone, time_zone_choices
from mentorhaven.accounts.mfa_adapter import secrets_of
from mentorhaven.accounts.models import IdentityProvider, User, default_time_zone
from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.vault import VaultError
from mentorhaven.widgets import LongSelect


class InvitedSignupForm(SignupForm):
    """allauth's sign-up form, bound to the invitation in the session.

    The e-mail is the invited address: it is pre-filled, read-only, and any other address sent
    in is refused (the address is what the invitation proved).
    """

    display_name = forms.CharField(
        label=_("Your name as others will see it"), max_length=150, required=False
    )
    # Filled by accounts/static time-zone.js from the browser's own zone; never typed.
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )
    field_order = ["display_name", "email", "password1", "password2", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invitation = self._invitation()
        if invitation is not None:
            self.fields["email"].initial = invitation.email
            self.fields["email"].widget.attrs["readonly"] = True
            self.fields["display_name"].initial = invitation.display_name
        self.fields["email"].help_text = _("The address your invitation was sent to.")

    @staticmethod
    def _invitation():
        from mentorhaven.programs.selectors import invitation_from_session

        request = context.request
        return invitation_from_session(request) if request is not None else None

    def clean_time_zone(self) -> str:
        """The browser's zone when it is one we know. The field is hidden, so a browser that
        reports nothing or an unknown name gets the default zone rather than an error the
        person could not fix; they can choose their zone on their profile page."""
        value = (self.cleaned_data.get("time_zone") or "").strip()
        return value if is_time_zone(value) else default_time_zone()

    def clean_email(self) -> str:
        value = super().clean_email()
        invitation = self._invitation()
        if invitation is None or value.lower() != invitation.email.lower():
            raise forms.ValidationError(
                _("Sign up with the address your invitation was sent to."), code="not_invited"
            )
        return value


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        required=False,
        help_text=_("Shown to the people in your programs. Leave empty to show your e-mail name."),
    )
    # A choice from the list: anything else posted is a form error ("Select a valid choice").
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=LongSelect,
        required=False,  # left out: the zone stays as it is
        help_text=_("Meeting times are shown to you, and entered by you, in this zone."),
    )


class _CodeOfTheSignedInPerson:
    """Checks the code against the second factors of the form's user, whose secrets these are
    (accounts/mfa_adapter.py). A secret that does not decrypt for them (erased, moved from
    another person's row, altered) counts as a wrong code, not an error page."""

    user: User

    def clean_code(self) -> str:
        try:
            with secrets_of(self.user):
                return super().clean_code()  # type: ignore[misc]
        except (VaultError, Erased):
            raise get_mfa_adapter().validation_error("incorrect_code") from None


class MfaAuthenticateForm(_CodeOfTheSignedInPerson, AuthenticateForm):
    """allauth's second step of signing in (``MFA_FORMS["authenticate"]``)."""


class MfaReauthenticateForm(_CodeOfTheSignedInPerson, ReauthenticateForm):
    """allauth's re-authentication by code (``MFA_FORMS["reauthenticate"]``)."""


class SingleSignOnStartForm(forms.Form):
    """The sign-in page's "use my organization's sign-in": a work address or the organization's
    short name finds its provider."""

    who = forms.CharField(
        label=_("Your work e-mail address or your organization's short name"), max_length=254
    )


class IdentityProviderForm(forms.Form):
    name = forms.CharField(label=_("Name shown on the sign-in button"), max_length=100)
    issuer = forms.URLField(label=_("Issuer (https:// address of the provider)"), max_length=300)
    client_id = forms.CharField(label=_("Client id"), max_length=200)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored secret."),
    )
    domains = forms.CharField(
        label=_("E-mail domains of your organization, one a line"), widget=forms.Textarea
    )
    second_factor = forms.ChoiceField(
        label=_("Second factor"),
        choices=[
            (IdentityProvider.SecondFactor.OURS, _("MentorHaven asks for its own second factor")),
            (
                IdentityProvider.SecondFactor.DELEGATED_CLAIM,
                _("Delegate to the provider: its amr/acr claim must show a second factor"),
            ),
            (
                IdentityProvider.SecondFactor.DELEGATED_TRUSTED,
                _("Delegate to the provider and trust it without a claim"),
            ),
        ],
    )
    accepted_mfa_claims = forms.CharField(
        label=_("amr or acr values that show a second factor, one a line"),
        required=False,
        widget=forms.Textarea,
    )
    end_provider_session = forms.BooleanField(
        label=_("Signing out of MentorHaven also signs out at the provider"), required=False
    )
    enabled = forms.BooleanField(
        label=_("People may sign in through this provider"), required=False
    )
