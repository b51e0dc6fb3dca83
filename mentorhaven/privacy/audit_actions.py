"""Audit actions of the privacy app: data exports and erasure (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("export.request", category="platform", sentence=_("{actor} asked for a data export"))
declare("export.build", category="platform", sentence=_("{actor} prepared your data export"))
declare("export.link", category="platform", sentence=_("{actor} made a download link"))
declare("export.download", category="platform", sentence=_("{actor} downloaded your data export"))
declare(
    "export.resume",
    category="platform",
    sentence=_("{actor} started your data export again after an interruption"),
)
declare("export.expire", category="platform", sentence=_("{actor} deleted an expired export"))
declare(
    "export.operator",
    category="platform",
    sentence=_("{actor} exported your data for a data request"),
)
# Someone else's writing included in a person's export (a message, a shared note); each event
# names the category, like ``data.read``.
declare("export.read", sentence=_("{actor} exported your writing shared with them"))
declare("erasure.request", category="platform", sentence=_("{actor} asked for your erasure"))
declare("erasure.cancel", category="platform", sentence=_("{actor} cancelled your erasure"))
declare(
    "erasure.operator",
    category="platform",
    sentence=_("{actor} started your erasure at once, as an operator"),
)
declare(
    "erasure.postpone",
    category="platform",
    sentence=_("{actor} moved your erasure back, to remind you of it first"),
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
