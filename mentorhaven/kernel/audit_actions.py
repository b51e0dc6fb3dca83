"""Audit actions the privacy kernel records (see kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

# A read of someone's sensitive data (``audit.record_access``); each event names the category.
declare("data.read", sentence=_("{actor} viewed your data"))
declare("vault.kek_rotated", sentence=_("{actor} rotated the master key"))
declare("vault.kek_retired", sentence=_("{actor} retired old master-key versions"))
declare("vault.subject_reshredded", sentence=_("{actor} erased your keys again after a restore"))
# A stored value failed its integrity check (kernel/integrity.py): shown as unreadable, and the
# security officers were alerted.
declare(
    "vault.integrity_failure",
    category="platform",
    sentence=_("{actor} found an item of your data damaged and showed it as unreadable"),
)
# An access helper refused someone (kernel/access.py ``record_refusal``): monitoring counts them.
declare("access.denied", sentence=_("{actor} was refused access to something"))
