"""Background work of the privacy app: building data exports.

``build_export`` is queued after the commit of an export request. It is defined beside the work
it runs (``building.py``), so that the services that queue it need not import this module; it is
listed here with the rest of the app's background work. It does nothing for a job that is not
queued any more (safe to run twice). ``expire_exports`` (services) is a plain function for the
scheduler and for cron through ``mentorhaven dsar expire-exports``.
"""

from __future__ import annotations

from mentorhaven.privacy.building import build_export as build_export
