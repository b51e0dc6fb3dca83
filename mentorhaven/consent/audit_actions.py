"""Audit actions of consent, restriction and data requests (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("consent.give", category="program", sentence=_("{actor} gave a consent"))
declare("consent.withdraw", category="program", sentence=_("{actor} withdrew a consent"))
declare(
    "data_request.create", category="program", sentence=_("{actor} made a data-protection request")
)
declare(
    "data_request.status",
    category="program",
    sentence=_("{actor} changed the status of your data-protection request"),
)
declare(
    "data_request.read",
    category="personal",
    sentence=_("{actor} read your data-protection request"),
)
declare("restriction.start", category="program", sentence=_("{actor} restricted processing"))
declare("restriction.lift", category="program", sentence=_("{actor} lifted a restriction"))
declare(
    "dpo.appoint", category="program", sentence=_("{actor} appointed a data-protection officer")
)
