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
declare("organization.create", category="program", sentence=_("{actor} set up an organization"))
declare("program.create", category="program", sentence=_("{actor} set up a program"))
declare("program.update", category="program", sentence=_("{actor} changed a program's settings"))
declare("program.archive", category="program", sentence=_("{actor} archived a program"))
declare(
    "setup.token_issue",
    category="program",
    sentence=_("{actor} issued a set-up token for an empty install"),
)
declare(
    "setup.token_refuse",
    category="program",
    sentence=_("{actor} refused a wrong set-up token"),
)
