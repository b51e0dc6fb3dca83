"""Every write of the privacy app: data exports.

Policy: a person may ask for their export at any time; one is built at a time (asking again
while one is being prepared returns that one). The archive is built by a background task
(``building.py``), sealed as it is written under the person's own data key (so erasing them
erases it), and kept for the "exports" retention period (``export_lifetimes``: 7 days unless
the person's organizations set 1 to 30 on the retention page), after which ``expire_exports``
deletes it. It leaves only through a download link whose token is shown once, kept as a
SHA-256, valid for ``LINK_LIFETIME`` and for one download. Requesting, building, making a
link, downloading and expiring are each an audit event about the person.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import IO, TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, ValidationFailed
from mentorhaven.privacy.building import (
    PURPOSE,
    archive_store,
    build_export,
    build_lock,
    build_unlock,
)
from mentorhaven.privacy.export.collector import write_archive
from mentorhaven.privacy.models import ExportJob
from mentorhaven.privacy.selectors import export_lifetimes
from mentorhaven.retention.domain import RULES, Kind

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

LINK_LIFETIME = timedelta(minutes=15)
STUCK_AFTER = timedelta(hours=6)  # a build this old is from a worker that died


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def export_request(*, actor: User) -> ExportJob:
    """Ask for an export of ``actor``'s data; the build starts after the commit. While one is
    queued or being built, that one is returned (a double click builds nothing twice)."""
    with transaction.atomic():
        # Lock the person's row so that two concurrent requests cannot both create a job.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        open_job = ExportJob.objects.filter(
            user=actor, status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
        ).first()
        if open_job is not None:
            return open_job
        job = ExportJob.objects.create(user=actor)
        audit.record(
            action="export.request",
            actor=actor,
            subject=actor,
            target=job,
            purpose=PURPOSE,
        )
        # robust: with the task queue away (Redis down) the request still succeeds; the job
        # stays queued and exports_resume_stranded queues it again (REQUEUE_AFTER).
        transaction.on_commit(partial(build_export.enqueue, job_id=job.pk), robust=True)
    return job


# Without advisory locks (SQLite: one machine, the database queue) a build still "running" after
# this long is taken to be stranded. The export benchmark builds 50,000 messages in under 60 s.
STRANDED_AFTER = timedelta(minutes=30)
# A queued job whose task has not started after this long is queued again (its task was lost
# with a queue that went away); building twice is harmless, the second run finds nothing to do.
REQUEUE_AFTER = timedelta(minutes=10)


def exports_resume_stranded(*, now: datetime | None = None) -> int:
    """Policy: an export whose builder died (a worker killed or its machine lost mid-build) is
    built again from the start, so a person never waits for an export that will not come. On
    PostgreSQL a build is stranded when nobody holds its build lease; elsewhere when it has been
    running for ``STRANDED_AFTER``. Queued jobs older than ``REQUEUE_AFTER`` are queued again.
    Run when a worker starts and every 2 minutes by the scheduler; idempotent. Returns the number
    of jobs sent back to the queue."""
    now = now or timezone.now()
    resumed: list[int] = []
    running = ExportJob.objects.filter(status=ExportJob.Status.RUNNING)
    if connection.vendor != "postgresql":
        running = running.filter(started_at__lte=now - STRANDED_AFTER)
    for job_id in list(running.values_list("pk", flat=True)):
        if not build_lock(job_id):
            continue  # its builder is alive
        try:
            with transaction.atomic():
                job = (
                    ExportJob.objects.select_for_update()
                    .select_related("user")
                    .filter(pk=job_id, status=ExportJob.Status.RUNNING)
                    .first()
                )
                if job is not None:
                    job.status, job.progress, job.started_at = ExportJob.Status.QUEUED, 0, None
                    job.save(update_fields=["status", "progress", "started_at"])
                    audit.record(
                        action="export.resume", subject=job.user, target=job, purpose=PURPOSE
                    )
                    resumed.append(job_id)
        finally:
            build_unlock(job_id)
    late = ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, created_at__lte=now - REQUEUE_AFTER
    ).values_list("pk", flat=True)
    for job_id in sorted({*resumed, *late}):
        build_export.enqueue(job_id)
    return len(resumed)


def _in_future(moment: datetime | None) -> bool:
    return moment is not None and moment > timezone.now()


@dataclass(frozen=True)
class DownloadLink:
    token: str
    expires_at: datetime


def export_link_create(*, actor: User, job: ExportJob) -> DownloadLink:
    """A new download link for a ready export of ``actor``'s (``access_export``); it replaces
    any earlier link. The token is returned once and only its hash is kept."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.user_id != actor.pk:
            raise NotFound()
        if job.status != ExportJob.Status.READY or not _in_future(job.expires_at):
            raise Conflict(_("This export is not ready, or it has expired."))
        token = secrets.token_urlsafe(32)
        job.link_token_hash = token_hash(token)
        job.link_expires_at = timezone.now() + LINK_LIFETIME
        job.save(update_fields=["link_token_hash", "link_expires_at"])
        audit.record(action="export.link", actor=actor, subject=actor, target=job, purpose=PURPOSE)
    return DownloadLink(token=token, expires_at=job.link_expires_at)


@dataclass
class Download:
    job: ExportJob
    chunks: Iterator[bytes]

    @property
    def filename(self) -> str:
        return f"mentorhaven-export-{self.job.finished_at:%Y-%m-%d}.zip"


def export_download(*, token: str, actor: User | None = None) -> Download:
    """Open the archive a link points to, once: the link is used up by this download. A wrong,
    used or expired token is ``NotFound`` (the same answer for each)."""
    if not token or len(token) > 100:
        raise NotFound()
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .select_related("user")
            .filter(link_token_hash=token_hash(token), status=ExportJob.Status.READY)
            .first()
        )
        now = timezone.now()
        if job is None or not (_in_future(job.link_expires_at) and _in_future(job.expires_at)):
            raise NotFound()
        chunks = archive_store().open(
            subject=job.user, name=job.storage_name, binding=job.archive_binding()
        )
        job.link_token_hash, job.link_expires_at, job.downloaded_at = "", None, now
        job.save(update_fields=["link_token_hash", "link_expires_at", "downloaded_at"])
        audit.record(
            action="export.download",
            actor=actor,
            subject=job.user,
            target=job,
            purpose=PURPOSE,
            extra={"bytes": job.size},
        )
    return Download(job=job, chunks=chunks)


def exports_due(
    *, until: datetime, days_of_organization: Callable[[int], int] | None = None
) -> list[tuple[int, int]]:
    """(job id, user id) of ready exports whose archive is due for deletion by ``until``: its
    deadline is the earlier of the date it was given when built and the end of the period its
    person's organizations set now (``export_lifetimes``), so a shortened period takes effect
    at the next run, and a lengthened one never keeps an archive past what its person was told.
    """
    shortest = timedelta(days=RULES[Kind.EXPORTS].min_days)
    rows = list(
        ExportJob.objects.filter(status=ExportJob.Status.READY)
        .filter(
            Q(expires_at__lte=until)
            | Q(finished_at__lte=until - shortest)
            | Q(finished_at__isnull=True)
        )
        .values_list("pk", "user_id", "finished_at", "expires_at")
        .order_by("pk")
    )
    lifetimes = export_lifetimes(
        {user for _pk, user, _f, _e in rows}, days_of_organization=days_of_organization
    )
    due = []
    for pk, user_id, finished_at, expires_at in rows:
        deadlines = [d for d in (expires_at,) if d is not None]
        if finished_at is not None:
            deadlines.append(finished_at + lifetimes[user_id])
        if not deadlines or min(deadlines) <= until:
            due.append((pk, user_id))
    return due


def expire_exports(
    *, now: datetime | None = None, days_of_organization: Callable[[int], int] | None = None
) -> int:
    """Policy: an export's archive is deleted once its organizations' "exports" retention
    period is over (``exports_due``: 7 days after it was ready unless an organization chose 1
    to 30); the row stays as the record that an export was given. A build stuck for
    ``STUCK_AFTER`` is marked failed. The scheduler runs it hourly and the retention sweep
    daily. Idempotent and safe to run in two places at once: each job is locked and checked
    again. Returns the number of archives deleted."""
    now = now or timezone.now()
    ExportJob.objects.filter(
        status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
        created_at__lte=now - STUCK_AFTER,
    ).update(status=ExportJob.Status.FAILED, finished_at=now)
    deleted = 0
    for job_id, _user in exports_due(until=now, days_of_organization=days_of_organization):
        with transaction.atomic():
            job = (
                ExportJob.objects.select_for_update()
                .select_related("user")
                .filter(pk=job_id, status=ExportJob.Status.READY)
                .first()
            )
            if job is None:
                continue
            name = job.storage_name
            job.status, job.storage_name = ExportJob.Status.EXPIRED, ""
            job.link_token_hash, job.link_expires_at = "", None
            job.expires_at = min(job.expires_at or now, now)
            job.save()
            audit.record(action="export.expire", subject=job.user, target=job, purpose=PURPOSE)
            # The row says "expired" only once the transaction commits; the blob goes then.
            transaction.on_commit(partial(_delete_blob, name))
        deleted += 1
    return deleted


def _delete_blob(name: str) -> None:
    if name:
        with contextlib.suppress(OSError):
            archive_store().delete(name)


def export_for_operator(*, email: str, out: IO[bytes]) -> dict[str, int]:
    """Write the export of the person with address ``email`` into ``out`` (an operator answering
    a data request received by mail or post). Audited as made by the system for that person."""
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationFailed(_("Nobody has this e-mail address."))
    stats = write_archive(user, out)
    with transaction.atomic():
        audit.record(
            action="export.operator",
            subject=user,
            target=user,
            purpose=PURPOSE,
            extra={"records": sum(stats.records.values()), "files": stats.files},
        )
    return {"records": sum(stats.records.values()), "files": stats.files}
