"""Every write of the files app, one module per job, re-exported here so callers import
``mentorhaven.files.services``: uploads and deletions (``uploads``), share links and their use
(``share_links``). Whatever fails, no half-made row survives (each module says how).
"""

from mentorhaven.files.content import file_store, open_content, token_hash
from mentorhaven.files.services.share_links import (
    LINK_DEFAULT_DAYS,
    LINK_MAX_DAYS,
    LINK_MAX_DOWNLOADS,
    LINK_PASSWORD_MAX,
    LINK_PASSWORD_MIN,
    PASSWORD_ATTEMPTS,
    PASSWORD_WINDOW_SECONDS,
    Download,
    password_required,
    share_link_access_record,
    share_link_create,
    share_link_download,
    share_link_password_check,
    share_link_revoke,
)
from mentorhaven.files.services.uploads import (
    UPLOADS_AT_ONCE,
    file_delete,
    file_upload,
    max_upload_bytes,
    person_quota_bytes,
    program_quota_bytes,
)

__all__ = [
    "LINK_DEFAULT_DAYS",
    "LINK_MAX_DAYS",
    "LINK_MAX_DOWNLOADS",
    "LINK_PASSWORD_MAX",
    "LINK_PASSWORD_MIN",
    "PASSWORD_ATTEMPTS",
    "PASSWORD_WINDOW_SECONDS",
    "UPLOADS_AT_ONCE",
    "Download",
    "file_delete",
    "file_store",
    "file_upload",
    "max_upload_bytes",
    "open_content",
    "password_required",
    "person_quota_bytes",
    "program_quota_bytes",
    "share_link_access_record",
    "share_link_create",
    "share_link_download",
    "share_link_password_check",
    "share_link_revoke",
    "token_hash",
]
