"""Audit actions of retention and legal hold (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare(
    "retention.sweep",
    category="platform",
    sentence=_("{actor} deleted records whose retention period was over"),
)
declare(
    "retention.policy_set",
    category="program",
    sentence=_("{actor} changed how long a kind of record is kept"),
)
declare("legal_hold.place", category="program", sentence=_("{actor} placed a legal hold"))
declare("legal_hold.release", category="program", sentence=_("{actor} released a legal hold"))
declare(
    "account.inactivity_warn",
    category="professional",
    sentence=_("{actor} warned you that your inactive account will be erased"),
)
