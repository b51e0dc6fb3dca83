"""Audit actions of the onboarding gates and break-glass (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare(
    "agreement.publish",
    category="program",
    sentence=_("{actor} published a confidentiality agreement"),
)
declare(
    "agreement.accept",
    category="program",
    sentence=_("{actor} accepted the confidentiality agreement"),
)
declare("training.pass", category="platform", sentence=_("{actor} passed the security training"))
declare(
    "training.fail", category="platform", sentence=_("{actor} did not pass the security training")
)
declare(
    "breakglass.request",
    category="personal",
    sentence=_("{actor} asked for emergency access to your data"),
)
declare(
    "breakglass.approve",
    category="personal",
    sentence=_("{actor} approved emergency access to your data, for a limited time"),
)
declare(
    "breakglass.reject",
    category="personal",
    sentence=_("{actor} refused a request for emergency access to your data"),
)
declare(
    "breakglass.revoke",
    category="personal",
    sentence=_("{actor} ended emergency access to your data"),
)
declare(
    "breakglass.read",
    category="personal",
    sentence=_("{actor} read your data under emergency access approved by two admins"),
)
# The same events when a recorded legal exception forbids telling the person (for instance a
# police investigation): audited like the others, left out of the person's access log.
declare(
    "breakglass.approve_withheld",
    category="personal",
    sentence=_("{actor} approved emergency access to your data, for a limited time"),
)
declare(
    "breakglass.read_withheld",
    category="personal",
    sentence=_("{actor} read your data under emergency access approved by two admins"),
)

WITHHELD_ACTIONS = ("breakglass.approve_withheld", "breakglass.read_withheld")
