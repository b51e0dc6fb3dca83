"""Audit actions of the program library (kernel/audit/actions.py).

Opening a resource is not audited: a resource is the program's own material, not anyone's
personal data, and an event per reader would be the per-person reading record the library
promises not to keep (docs/privacy.md, "Library"). Only writes are on the record.
"""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("resource.create", category="program", sentence=_("{actor} added a library resource"))
declare("resource.update", category="program", sentence=_("{actor} changed a library resource"))
declare("resource.archive", category="program", sentence=_("{actor} archived a library resource"))
declare("resource.restore", category="program", sentence=_("{actor} restored a library resource"))
