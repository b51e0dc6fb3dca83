"""Audit actions of programs: invitations (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("invitation.create", category="program", sentence=_("{actor} sent an invitation"))
declare("invitation.revoke", category="program", sentence=_("{actor} withdrew an invitation"))
declare("invitation.accept", category="program", sentence=_("{actor} accepted an invitation"))
# Reads (``record_access``): one event per page of a member list, naming the people on it.
declare(
    "program.members_read",
    category="program",
    sentence=_("{actor} viewed a program's member list, which includes you"),
)
