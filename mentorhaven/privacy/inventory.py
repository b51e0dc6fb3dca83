"""Personal data held by the privacy app: data exports, erasure requests and safeguarding
cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

PLATFORM = Category.PLATFORM

declare(
    "privacy.ErasureRequest",
    [
        Field(
            "user",
            PLATFORM,
            label="Who asked to be erased",
            purpose="Carrying out your erasure, and proving it was done",
            basis="legal_obligation",
            visible_to=("self",),
            retention="Kept as the record of the erasure; it then points at an anonymous account",
            erasure=Erasure.UNLINK,
            subject=True,
        ),
    ],
    record="Your erasure requests",
    description="When you asked to be erased, when it is due, and which steps are done.",
)
exempt(
    "privacy.ErasureRequest",
    "names of the erasure steps done and counts of removed records: no content, no identifier",
    fields=["steps_done", "counts"],
)


def _case_rows(user: User) -> Q:
    return Q(report__reporter=user) | Q(report__reported_user=user)


declare(
    "privacy.SafeguardingCase",
    [
        Field(
            "sealed_evidence",
            PLATFORM,
            label="The evidence of a safety report",
            purpose="Keeping the evidence of an open safety report for the program's "
            "safeguarding staff, even after the people involved are erased",
            basis="legal_obligation",
            visible_to=("program_admin", "org_admin"),
            retention="Until the case is closed and its legal retention ends",
            erasure=Erasure.DELETE,
        ),
        Field(
            "wrapped_key",
            PLATFORM,
            label="The key of a safeguarding case",
            purpose="Encrypting a case's evidence under a key of its own (wrapped by the "
            "master key), not under the key of a person who may be erased",
            basis="legal_obligation",
            visible_to=(),
            retention="As long as the case",
            erasure=Erasure.DELETE,
        ),
    ],
    record="Safety report evidence kept for safeguarding",
    subject=_case_rows,
)
exempt(
    "privacy.SafeguardingCase",
    "the version label of the master key that wraps the case key",
    fields=["kek_version"],
)

EXPORT_RETENTION = (
    "7 days after it is ready (or the 1 to 30 days your organization chose), then the archive "
    "is deleted"
)

declare(
    "privacy.ExportJob",
    [
        Field(
            "user",
            Category.PLATFORM,
            label="Whose export it is",
            purpose="Building and handing over your data export (the archive is encrypted "
            "under your key)",
            basis="legal_obligation",
            visible_to=("self",),
            retention=EXPORT_RETENTION,
            erasure=Erasure.DELETE,
            subject=True,
        ),
    ],
    record="Your data exports",
)
exempt(
    "privacy.ExportJob",
    "bookkeeping of the export: how far it got, its size, the random name of the sealed "
    "archive, and hashes of the manifest and of the download link's secret",
    fields=["progress", "storage_name", "size", "manifest_sha256", "link_token_hash"],
)
