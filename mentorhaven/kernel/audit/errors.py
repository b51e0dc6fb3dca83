"""The one exception of the audit package."""


class AuditError(Exception):
    """A misuse of the audit log (content where an identifier belongs, an undeclared action) or
    a missing or unreadable signing key."""
