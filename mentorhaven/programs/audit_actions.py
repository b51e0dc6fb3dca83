"""Audit actions of programs: invitations (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("invitation.create", category="program", sentence=_("{actor} sent an invitation"))
declare("invitation.revoke", category="program", sentence=_("{actor} withdrew an invitation"))
declare("invitation.accept", category="program", sentence=_("{actor} accepted an invitation"))
