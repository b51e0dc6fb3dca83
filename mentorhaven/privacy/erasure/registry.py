"""The steps of an erasure, each declared by the app that owns the data it removes.

Every app with something to erase about a person has an ``erasure.py`` that registers its steps::

    from mentorhaven.privacy.erasure.registry import register

    @register("files.files", order=40)
    def erase_files(user) -> dict[str, int]:
        ...  # idempotent: runs again after a crash with the same end state

The privacy app imports those modules when it is ready (``autodiscover_modules("erasure")``);
the kernel imports none of them. The job runs the steps by ``order``, each in its own
transaction, and remembers the names of those done: a step must therefore be safe to run twice
and leave nothing half done when its transaction rolls back. A step returns counts (numbers
only, never content) that go into the audit event of the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Step = Callable[[Any], dict[str, int] | None]


@dataclass(frozen=True)
class ErasureStep:
    name: str
    order: int
    run: Step


_STEPS: dict[str, ErasureStep] = {}

# The orders the apps use, so that the sequence reads in one place:
PRESERVE = 10  # keep what the law needs (safeguarding evidence) while it is still readable
REVOKE = 20  # sessions, tokens, feeds, links: the account stops working everywhere
SHRED = 30  # the person's data key and audit pseudonym secret
REMOVE = 40  # rows deleted or anonymized, blobs removed, relationships ended
ANONYMIZE = 90  # the account row itself, last


def register(name: str, *, order: int) -> Callable[[Step], Step]:
    def decorator(func: Step) -> Step:
        step = ErasureStep(name=name, order=order, run=func)
        known = _STEPS.setdefault(name, step)
        if known.run is not func and known.run.__qualname__ != func.__qualname__:
            raise ValueError(f"erasure step {name!r} is registered twice")
        return func

    return decorator


def steps() -> list[ErasureStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))
