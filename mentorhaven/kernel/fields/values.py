"""What an encrypted attribute can hold besides the value: the placeholders for erased and
unreadable content, sealed ciphertext, and the binding a value is encrypted under."""

from __future__ import annotations

from typing import Any

from mentorhaven.kernel import vault


class Unavailable(str):
    """A placeholder read in place of content that cannot be shown (erased or unreadable)."""

    __slots__ = ()


class ErasedValue(Unavailable):
    """The placeholder read in place of crypto-shredded content."""

    __slots__ = ()


class UnreadableValue(Unavailable):
    """The placeholder read in place of a ciphertext that failed authentication: altered,
    moved to another row, or re-bound to other readers outside the application."""

    __slots__ = ()


ERASED = ErasedValue("[erased]")


UNREADABLE = UnreadableValue("[unreadable]")


def is_erased(value: Any) -> bool:
    return isinstance(value, ErasedValue)


def is_unreadable(value: Any) -> bool:
    return isinstance(value, UnreadableValue)


def is_unavailable(value: Any) -> bool:
    """Erased or unreadable: there is no content to show or to compute with."""
    return isinstance(value, Unavailable)


def access_context(names: tuple[str, ...], values: tuple[Any, ...]) -> str:
    """The bound attributes as they go into the associated data: ``relationship=12|shared=1``."""
    return "|".join(f"{name}={_render(value)}" for name, value in zip(names, values, strict=True))


def _render(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def make_binding(
    table: str,
    column: str,
    row: Any,
    subject_id: int,
    names: tuple[str, ...] = (),
    values: tuple[Any, ...] = (),
) -> vault.Binding:
    """The binding of one value; migrations use it to encrypt under a column's final name."""
    return vault.Binding(
        table, column, str(row), str(subject_id), access_context(names, values) if names else ""
    )


class Sealed:
    """Ciphertext as loaded from the database, opened on first attribute access.

    ``origin`` is the (subject, bound attributes) the row had when it was loaded, so a change
    made since is noticed on save; ``failed`` marks a ciphertext already found unreadable, so
    it is reported once per loaded row, not once per read.
    """

    __slots__ = ("data", "failed", "origin")

    def __init__(self, data: bytes, origin: tuple[Any, ...] | None = None) -> None:
        self.data = data
        self.origin = origin
        self.failed = False

    def __repr__(self) -> str:
        return "<sealed>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.data == self.data

    __hash__ = None  # type: ignore[assignment]
