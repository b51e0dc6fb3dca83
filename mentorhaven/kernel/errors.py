"""One error hierarchy for the whole application.

Services raise these; the API turns them into ``{"message", "code", "extra"}`` with the status
below, and the HTML views into a friendly page. Messages are for people: translated, with no
internal identifiers or stack traces.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status = 400
    code = "invalid"
    default_message = _("The request could not be completed.")

    def __init__(
        self, message: Any = None, *, code: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        self.message = str(message if message is not None else self.default_message)
        if code:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, "extra": self.extra}


class ValidationFailed(ApplicationError):
    status = 422
    code = "validation_failed"
    default_message = _("Some of the data was not valid.")


class NotFound(ApplicationError):
    """Raised for both 'does not exist' and 'you may not see it' — deliberately the same."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(ApplicationError):
    """The viewer may see the object but not do this to it (e.g. a read-only role writing)."""

    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotAuthenticated(ApplicationError):
    status = 401
    code = "not_authenticated"
    default_message = _("Sign in to continue.")


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many attempts. Please wait and try again.")


class QuotaExceeded(ValidationFailed):
    """Storing this would take someone (or something) past their storage allowance."""

    status = 413
    code = "quota_exceeded"
    default_message = _("There is no storage space left for this.")


class Erased(ApplicationError):
    """Content whose data key was destroyed (crypto-shredded)."""

    status = 410
    code = "erased"
    default_message = _("This content has been erased.")


class Unreadable(ApplicationError):
    """Content whose ciphertext failed its integrity check (altered, or moved in the database):
    shown as unreadable, never served, and reported to the security officers."""

    status = 409
    code = "unreadable"
    default_message = _(
        "This item could not be read: it failed its integrity check. Our security officers "
        "have been told."
    )
