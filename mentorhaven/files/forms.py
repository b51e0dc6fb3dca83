from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorhaven.files.services import LINK_DEFAULT_DAYS, LINK_MAX_DAYS, LINK_MAX_DOWNLOADS


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ShareLinkForm(forms.Form):
    password = forms.CharField(
        label=_("Password (optional unless your program requires one)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=LINK_MAX_DAYS,
        initial=LINK_DEFAULT_DAYS,
    )
    max_downloads = forms.IntegerField(
        label=_("Download limit (optional)"),
        required=False,
        min_value=1,
        max_value=LINK_MAX_DOWNLOADS,
    )


class SharePasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
