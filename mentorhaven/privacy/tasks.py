"""Background work of the privacy app: building data exports.

``build_export`` is queued after the commit of an export request and calls
``services.export_build``, which does nothing for a job that is not queued any more (safe to run
twice). ``expire_exports`` (services) is a plain function for the scheduler and for cron through
``mentorhaven dsar expire-exports``.
"""

from __future__ import annotations

from django.tasks import task

from mentorhaven.privacy.services import export_build


@task()
def build_export(job_id: int) -> bool:
    """Build one queued data export (privacy/services.py: ``export_build``)."""
    return export_build(job_id=job_id) is not None
