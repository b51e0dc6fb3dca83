"""Periodic work of the messaging app (kernel/schedule.py): notification e-mail digests.
Deleting old conversations is the retention sweep's (``mentorhaven/retention``)."""

from datetime import timedelta

from mentorhaven.kernel import schedule
from mentorhaven.messaging.tasks import send_digests

schedule.job("messaging.digests", every=timedelta(hours=1))(send_digests)
