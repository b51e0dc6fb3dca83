"""Export archives live as long as the organization's "exports" retention period says (1 to 30
days, 7 by default), chosen on the retention page; the hourly expiry job and the daily sweep
both honour it, a shortened period takes effect at the next run, and a person in two
organizations gets the shorter of their periods."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from mentorhaven.kernel import schedule, vault
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.privacy import services as exports
from mentorhaven.privacy.models import ExportJob
from mentorhaven.programs.models import Organization, OrgMembership
from mentorhaven.retention import selectors, services
from mentorhaven.retention.models import RetentionPolicy


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    vault.forget_cached_keys()
    yield
    vault.forget_cached_keys()


@pytest.fixture
def build(django_capture_on_commit_callbacks, tmp_path):
    """``build(user)``: a ready export of ``user`` and the path of its sealed archive."""

    def _build(user) -> tuple[ExportJob, Path]:
        with django_capture_on_commit_callbacks(execute=True):
            job = exports.export_request(actor=user)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.READY
        return job, tmp_path / "media" / job.storage_name

    return _build


def _set_from_page(client, org, days) -> None:
    response = client.post(f"/retention/{org.public_id}/policy", {"kind": "exports", "days": days})
    assert response.status_code == 302


def _hourly_job(when) -> None:
    """The scheduler's hourly expiry job, as it runs at ``when`` (its commit hooks run too)."""
    with time_machine.travel(when, tick=False):
        assert schedule.run_job(schedule.get("privacy.expire_exports"), force=True)


def _status(job) -> str:
    job.refresh_from_db()
    return job.status


def test_by_default_an_archive_lives_seven_days(
    personas, build, django_capture_on_commit_callbacks
):
    job, blob = build(personas.cara)
    assert job.expires_at == job.finished_at + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        _hourly_job(job.finished_at + timedelta(days=6, hours=23))
    assert _status(job) == ExportJob.Status.READY and blob.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _hourly_job(job.finished_at + timedelta(days=7, minutes=1))
    assert _status(job) == ExportJob.Status.EXPIRED and not blob.exists()


def test_the_period_chosen_on_the_retention_page_governs_the_hourly_job(
    personas, login, build, django_capture_on_commit_callbacks
):
    _set_from_page(login(personas.org_admin), personas.org, "2")
    job, blob = build(personas.cara)
    assert job.expires_at == job.finished_at + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        _hourly_job(job.finished_at + timedelta(days=1, hours=23))
    assert _status(job) == ExportJob.Status.READY and blob.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _hourly_job(job.finished_at + timedelta(days=2, minutes=1))
    assert _status(job) == ExportJob.Status.EXPIRED and not blob.exists()
    assert AuditEvent.objects.filter(action="export.expire").count() == 1


def test_a_shortened_period_applies_to_archives_already_made(
    personas, build, django_capture_on_commit_callbacks
):
    job, blob = build(personas.cara)  # promised 7 days
    services.retention_policy_set(
        actor=personas.org_admin, organization_id=personas.org.public_id, kind="exports", days=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        _hourly_job(job.finished_at + timedelta(days=1, minutes=1))
    assert _status(job) == ExportJob.Status.EXPIRED and not blob.exists()


def test_a_lengthened_period_keeps_no_archive_past_the_date_it_was_given(
    personas, build, django_capture_on_commit_callbacks
):
    job, blob = build(personas.cara)  # promised 7 days
    services.retention_policy_set(
        actor=personas.org_admin, organization_id=personas.org.public_id, kind="exports", days=30
    )
    with django_capture_on_commit_callbacks(execute=True):
        _hourly_job(job.finished_at + timedelta(days=7, minutes=1))
    assert _status(job) == ExportJob.Status.EXPIRED and not blob.exists()
    again, _blob = build(personas.cara)
    assert again.expires_at == again.finished_at + timedelta(days=30)


@pytest.mark.parametrize("days", ["0", "31", "-3", "seven", ""])
def test_the_page_keeps_the_period_within_one_to_thirty_days(personas, login, days):
    client = login(personas.org_admin)
    response = client.post(
        f"/retention/{personas.org.public_id}/policy",
        {"kind": "exports", "days": days},
        follow=True,
    )
    assert response.status_code == 200
    assert not RetentionPolicy.objects.filter(category="exports").exists()
    html = response.content.decode()
    assert "Choose between 1 and 30 days." in html or "Give a whole number of days." in html


def test_a_person_in_two_organizations_gets_the_shorter_period(personas, build):
    second = Organization.objects.create(name="Second Org", slug="second-org")
    OrgMembership.objects.create(organization=second, user=personas.cara)
    OrgMembership.objects.create(
        organization=second, user=personas.org_admin, role=OrgMembership.Role.ORG_ADMIN
    )
    for org, days in ((personas.org, 20), (second, 3)):
        services.retention_policy_set(
            actor=personas.org_admin, organization_id=org.public_id, kind="exports", days=days
        )
    job, _blob = build(personas.cara)
    assert job.expires_at == job.finished_at + timedelta(days=3)
    dev_job, _blob = build(personas.dev)  # only in the first organization
    assert dev_job.expires_at == dev_job.finished_at + timedelta(days=20)


def test_the_daily_sweep_expires_archives_too_and_the_page_forecasts_them(
    personas, login, build, django_capture_on_commit_callbacks
):
    services.retention_policy_set(
        actor=personas.org_admin, organization_id=personas.org.public_id, kind="exports", days=5
    )
    job, blob = build(personas.cara)
    rows = {
        r.kind: r
        for r in selectors.forecast_for(viewer=personas.org_admin, organization=personas.org)
    }
    assert rows["exports"].count == 1 and rows["exports"].days == 5
    policies = {p.kind: p for p in selectors.policies_for(viewer=None, organization=personas.org)}
    assert policies["exports"].swept and policies["exports"].days == 5
    with (
        time_machine.travel(job.finished_at + timedelta(days=5, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.retention_sweep()
    assert result.deleted["exports"] == 1
    assert _status(job) == ExportJob.Status.EXPIRED and not blob.exists()
    assert services.retention_sweep(now=timezone.now() + timedelta(days=6)).deleted["exports"] == 0
