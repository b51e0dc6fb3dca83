"""Every write of the community app (events and registrations; surveys)."""

from mentorhaven.community.services.events import (
    event_cancel,
    event_create,
    event_remind,
    event_update,
    registration_cancel,
    registration_check_in,
    registration_create,
    registrations_erase,
)
from mentorhaven.community.services.surveys import (
    survey_answers_erase,
    survey_close,
    survey_create,
    survey_respond,
)

__all__ = [
    "event_cancel",
    "event_create",
    "event_remind",
    "event_update",
    "registration_cancel",
    "registration_check_in",
    "registration_create",
    "registrations_erase",
    "survey_answers_erase",
    "survey_close",
    "survey_create",
    "survey_respond",
]
