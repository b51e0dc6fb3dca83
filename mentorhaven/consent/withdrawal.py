"""What withdrawing a consent undoes in the apps that used it.

Consent is recorded here, but the data given under it lives in the apps that use it: withdrawing
consent to matching with sensitive answers must delete those answers in ``matching``. Such an
app registers what to undo when its ``ready()`` runs::

    withdrawal.register(Purpose.MATCHING_SENSITIVE, sensitive_answers_remove)

and ``consent_withdraw`` calls every handler of the purpose inside its transaction, so the
withdrawal and what it undoes commit together or not at all. A handler takes ``user=`` and
returns how many records it removed (recorded, as a count, on the withdrawal's audit event).
This way ``consent`` does not import the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mentorhaven.consent.domain import Purpose

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

Handler = Callable[..., int]

_HANDLERS: dict[Purpose, list[Handler]] = {}


def register(purpose: Purpose, handler: Handler) -> None:
    """Call ``handler(user=...)`` whenever someone withdraws consent to ``purpose`` (once per
    handler, however often an app's ``ready()`` runs)."""
    handlers = _HANDLERS.setdefault(Purpose(purpose), [])
    if handler not in handlers:
        handlers.append(handler)


def undo(purpose: Purpose, *, user: User) -> int:
    """Run every handler of ``purpose`` for ``user``; the records they removed, in all."""
    return sum(handler(user=user) for handler in _HANDLERS.get(Purpose(purpose), ()))
