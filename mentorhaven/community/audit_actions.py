"""Audit actions of program events and surveys (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("event.create", category="program", sentence=_("{actor} published a program event"))
declare("event.update", category="program", sentence=_("{actor} changed a program event"))
declare("event.cancel", category="program", sentence=_("{actor} cancelled a program event"))
declare("event.remind", category="program", sentence=_("{actor} sent a reminder of an event"))
declare("event.register", category="program", sentence=_("{actor} registered you for an event"))
declare("event.waitlist", category="program", sentence=_("{actor} put you on an event's waitlist"))
declare(
    "event.unregister",
    category="program",
    sentence=_("{actor} cancelled your registration for an event"),
)
declare(
    "event.promote",
    category="program",
    sentence=_("{actor} gave you a freed place at an event"),
)
declare("event.check_in", category="program", sentence=_("{actor} checked you in at an event"))
declare(
    "event.attendees_read",
    category="program",
    sentence=_("{actor} saw that you registered for an event"),
)
declare("survey.create", category="program", sentence=_("{actor} published a survey"))
declare("survey.respond", category="program", sentence=_("{actor} answered a survey"))
declare("survey.close", category="program", sentence=_("{actor} closed a survey"))
declare(
    "survey.results_read",
    category="program",
    sentence=_("{actor} looked at a survey's results (aggregates only)"),
)
