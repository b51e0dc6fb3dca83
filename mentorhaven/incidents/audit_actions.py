"""Audit actions of incident response (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("incident.open", category="platform", sentence=_("{actor} opened a security incident"))
declare(
    "incident.stage",
    category="platform",
    sentence=_("{actor} moved a security incident to its next stage"),
)
declare(
    "incident.entry_add",
    category="platform",
    sentence=_("{actor} added a note, evidence or a decision to a security incident"),
)
declare(
    "incident.regulator_notified",
    category="platform",
    sentence=_("{actor} recorded that the regulator was told of a security incident"),
)
declare(
    "incident.impact",
    category="platform",
    sentence=_("{actor} checked whose data a security incident may have touched"),
)
declare(
    "incident.contain",
    category="platform",
    sentence=_("{actor} locked your account and revoked its access after a security incident"),
)
declare("alert.raise", category="platform", sentence=_("{actor} raised a security alert"))
declare("alert.dismiss", category="platform", sentence=_("{actor} dismissed a security alert"))
declare(
    "incident.notify",
    category="platform",
    sentence=_("{actor} told the people a security incident may have affected"),
)
declare(
    "incident.notice",
    category="platform",
    sentence=_("{actor} told you about a security incident that may have affected your data"),
)
declare(
    "incident.not_me",
    category="platform",
    sentence=_("{actor} reported activity they did not recognise and locked the account"),
)
declare("incident.unlock", category="platform", sentence=_("{actor} unlocked your account"))
