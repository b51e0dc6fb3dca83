"""Personal data held by the privacy app: data exports."""

from mentorhaven.kernel.inventory import Category, Erasure, Field, declare, exempt

EXPORT_RETENTION = "7 days after it is ready, then the archive is deleted"

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
