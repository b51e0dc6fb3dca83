"""Periodic work of the matching app (kernel/schedule.py): unanswered mentor requests lapse."""

from datetime import timedelta

from mentorhaven.kernel import schedule
from mentorhaven.matching.services import requests_lapse


@schedule.job("matching.lapse_requests", every=timedelta(hours=1))
def lapse_requests() -> int:
    return requests_lapse()
