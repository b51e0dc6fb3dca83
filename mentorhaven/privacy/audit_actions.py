"""Audit actions of the privacy app (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("erasure.request", category="platform", sentence=_("{actor} asked for your erasure"))
declare("erasure.cancel", category="platform", sentence=_("{actor} cancelled your erasure"))
declare(
    "erasure.operator",
    category="platform",
    sentence=_("An operator started your erasure at once"),
)
declare("erasure.complete", category="platform", sentence=_("{actor} erased your data"))
declare(
    "safeguarding.case_open",
    category="platform",
    sentence=_("{actor} kept a safety report's evidence for the program's staff"),
)
declare(
    "safeguarding.case_read",
    category="platform",
    sentence=_("{actor} read the kept evidence of a safety report"),
)
