"""Periodic work of the matching app (kernel/schedule.py): unanswered mentor requests lapse
(and are announced two days before), questionnaires are reminded once, waiting mentees are told
when a mentor frees up. Every job is idempotent."""

from datetime import time, timedelta

from mentorhaven.kernel import schedule
from mentorhaven.matching.services import (
    questionnaire_reminders_send,
    request_lapse_warnings_send,
    requests_lapse,
    waitlist_notify,
)


@schedule.job("matching.lapse_requests", every=timedelta(hours=1))
def lapse_requests() -> int:
    return requests_lapse()


schedule.job("matching.lapse_warnings", every=timedelta(hours=1))(request_lapse_warnings_send)
schedule.job("matching.questionnaire_reminders", every=timedelta(days=1), at=time(9, 0))(
    questionnaire_reminders_send
)
schedule.job("matching.waitlist", every=timedelta(minutes=15))(waitlist_notify)
