"""Data exports (GDPR Art. 15 and 20): everything MentorHaven keeps about a person, in one ZIP.

* ``registry``: the sections each app registers in its ``export.py``, and the models it leaves
  out with a reason;
* ``collector.write_archive``: streams every section into a ZIP (JSON, HTML, decrypted files);
* ``manifest``: the signed manifest and ``verify_archive``;
* ``completeness``: every model reachable from the user is exported or excluded.

The job around it (request, background build, sealed storage, expiring link, expiry) is in
``privacy/services.py``; docs/privacy.md ("Your data export") describes it for people.
"""

from mentorhaven.privacy.export import own  # noqa: F401  (registers the privacy app's sections)
from mentorhaven.privacy.export.collector import write_archive
from mentorhaven.privacy.export.manifest import verify_archive

__all__ = ["verify_archive", "write_archive"]
