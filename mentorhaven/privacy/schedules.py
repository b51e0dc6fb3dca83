"""Periodic work of the privacy app (kernel/schedule.py): erasures whose grace period is over
(with their reminders), and export archives past their lifetime. Both are idempotent and safe
to run twice."""

from datetime import timedelta

from mentorhaven.kernel import schedule
from mentorhaven.privacy.erasure.services import process_due_erasures
from mentorhaven.privacy.services import expire_exports, exports_resume_stranded


@schedule.job("privacy.erasures", every=timedelta(minutes=15), lease=timedelta(hours=2))
def due_erasures() -> dict[str, int]:
    return process_due_erasures()


@schedule.job("privacy.expire_exports", every=timedelta(hours=1))
def old_exports() -> int:
    return expire_exports()


@schedule.job("privacy.resume_exports", every=timedelta(minutes=2))
def stranded_exports() -> int:
    return exports_resume_stranded()
