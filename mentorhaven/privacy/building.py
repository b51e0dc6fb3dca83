"""Building a data export in the background: the ``build_export`` task and the work it does.

``services.export_request`` queues ``build_export`` after the commit of a request; the worker
runs it, and ``services.exports_resume_stranded`` queues it again for a build whose worker died.
A build holds its job's lease (``build_lock``) while it runs, writes the archive sealed under
the person's own data key (``archive_store``) and records one audit event, "built" or "failed".
It is idempotent: a job that is not queued any more is left alone, so a task delivered twice
builds once.

The task lives here, beside the work it runs, so that the services that queue it do not import
the task module (``tasks.py`` lists it with the app's other background work).
"""

from __future__ import annotations

import contextlib
import logging
from functools import partial

from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone

from mentorhaven.kernel import audit
from mentorhaven.kernel.storage import EncryptedFileStore
from mentorhaven.privacy.export.collector import write_archive
from mentorhaven.privacy.models import ExportJob
from mentorhaven.privacy.selectors import export_lifetimes

logger = logging.getLogger("mentorhaven.privacy")

PURPOSE = "Give a person a copy of everything kept about them (data export)"


def archive_store() -> EncryptedFileStore:
    return EncryptedFileStore()


# The advisory-lock key space of export builds on PostgreSQL ("MH"): a build holds the session
# lock (BUILD_LOCK_SPACE, job id) while it runs, so the lock ends with the builder's connection
# (a killed worker's closes) and ``exports_resume_stranded`` can tell a stranded build from a
# running one. Needs a session-pooling or direct connection (not pgbouncer transaction pooling).
BUILD_LOCK_SPACE = 0x4D48


def build_lock(job_id: int) -> bool:
    """Take the build lease of ``job_id`` without waiting; False when someone holds it."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [BUILD_LOCK_SPACE, job_id])
        row = cursor.fetchone()
    return bool(row and row[0])


def build_unlock(job_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [BUILD_LOCK_SPACE, job_id])


def _set_progress(job_id: int, done: int, total: int, _key: str) -> None:
    percent = min(99, max(1, int(done * 100 / max(total, 1))))
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(progress=percent)


def export_build(*, job_id: int) -> ExportJob | None:
    """Build a queued export: idempotent (a job that is not queued is left alone, so a task run
    twice builds once, and a job another process is building is left to it). On failure the
    job is marked failed and nothing is kept."""
    if not build_lock(job_id):
        return None
    try:
        return _export_build(job_id)
    finally:
        build_unlock(job_id)


def _export_build(job_id: int) -> ExportJob | None:
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .select_related("user")
            .filter(pk=job_id, status=ExportJob.Status.QUEUED)
            .first()
        )
        if job is None:
            return None
        job.status, job.started_at, job.progress = ExportJob.Status.RUNNING, timezone.now(), 1
        job.save(update_fields=["status", "started_at", "progress"])
    store = archive_store()
    name = ""
    try:
        with store.writer(subject=job.user, binding=job.archive_binding()) as sink:
            stats = write_archive(job.user, sink, progress=partial(_set_progress, job.pk))
            size = sink.tell()
        name = sink.name
        with transaction.atomic():
            job.status, job.progress = ExportJob.Status.READY, 100
            job.storage_name, job.size = name, size
            job.manifest_sha256 = stats.manifest_sha256
            job.finished_at = timezone.now()
            job.expires_at = job.finished_at + export_lifetimes([job.user_id])[job.user_id]
            job.save()
            audit.record(
                action="export.build",
                subject=job.user,
                target=job,
                purpose=PURPOSE,
                extra={"records": sum(stats.records.values()), "files": stats.files},
            )
    except Exception:
        logger.exception("data export failed")
        if name:
            with contextlib.suppress(OSError):
                store.delete(name)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(), storage_name=""
        )
        with transaction.atomic():
            audit.record(
                action="export.build",
                subject=job.user,
                target=job,
                purpose=PURPOSE,
                extra={"outcome": "failed"},
            )
        return None
    return job


@task()
def build_export(job_id: int) -> bool:
    """Build one queued data export (``export_build``); False when there was nothing to do."""
    return export_build(job_id=job_id) is not None
