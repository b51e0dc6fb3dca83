"""Audit actions of files and share links (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("file.upload", category="platform", sentence=_("{actor} uploaded a file"))
declare("file.delete", category="platform", sentence=_("{actor} deleted your file"))
declare("share_link.create", category="platform", sentence=_("{actor} made a share link"))
declare("share_link.revoke", category="platform", sentence=_("{actor} revoked a share link"))
declare(
    "share_link.access",
    category="platform",
    sentence=_("{actor} noted a visit to your share link"),
)
# Reads (``record_access``): a list of file names, one file's page, a download.
declare("file.names_read", category="platform", sentence=_("{actor} saw the names of your files"))
declare("file.read", category="platform", sentence=_("{actor} opened a file you shared"))
