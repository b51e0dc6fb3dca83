"""The privacy app's part in retention (retention/registry.py): an inactive account whose
period is over is erased by the same job as a person's own request."""

from mentorhaven.privacy.erasure.services import erase_inactive_account
from mentorhaven.retention.registry import register_account_eraser

register_account_eraser(erase_inactive_account)
