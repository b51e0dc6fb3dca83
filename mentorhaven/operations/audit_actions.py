"""Audit actions of operations (kernel/audit/actions.py): counts only, never content."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("backup.created", category="platform", sentence=_("{actor} made a backup"))
declare("backup.restored", category="platform", sentence=_("{actor} restored a backup"))
