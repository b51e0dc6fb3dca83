"""Migration helpers: encrypt a plaintext column, and re-encrypt one under a new binding.

Used by ``RunPython`` operations, which see historical models. They work on the stored bytes
and build each binding by hand (``fields.make_binding``), so a value can be encrypted under the
name its column will have *after* the migration renames it: a column added as ``title_sealed``
and renamed to ``title`` holds ciphertext bound to ``title``.

Converting a plaintext column (the pattern of every such migration)::

    AddField(title_sealed, EncryptedTextField(null=True, ...))
    RunPython(encrypt_column(...), decrypt_column(...))
    RemoveField(title); RenameField(title_sealed -> title)

A row whose subject was already shredded cannot be encrypted under their key: its plaintext is
dropped and replaced with bytes that read as the "erased" placeholder, which is what the person
was promised. Both helpers are idempotent in effect on re-run (a migration runs once; they are
safe to call again on rows they already converted, which they leave alone).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Field, Model

from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.fields import make_binding

if TYPE_CHECKING:
    from mentorhaven.kernel.storage import EncryptedFileStore

# What a RunPython operation calls: (historical apps, schema editor).
type MigrationStep = Callable[[StateApps, BaseDatabaseSchemaEditor], None]

logger = logging.getLogger("mentorhaven.vault")

BATCH = 500


def encode(kind: str, value: Any) -> bytes:
    if kind == "json":
        return json.dumps(
            value, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
    return str(value).encode("utf-8")


def decode(kind: str, data: bytes) -> Any:
    return json.loads(data) if kind == "json" else data.decode("utf-8")


def erased_ciphertext() -> bytes:
    """Well-formed bytes under nobody's key: they read as ``ERASED`` for a shredded subject."""
    return vault.FORMAT_VERSION + secrets.token_bytes(vault.NONCE_BYTES + 16)


def check_constraints_now(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Run PostgreSQL's deferred foreign-key checks at once: a migration that fills a new
    foreign key and then alters its table in the same transaction is refused otherwise
    ("pending trigger events")."""
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def _attname(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field.attname


def _rows(model: type[Model], names: list[str]) -> Iterator[tuple[Any, ...]]:
    rows: Iterator[tuple[Any, ...]] = (
        model._default_manager.order_by("pk").values_list(*names).iterator(chunk_size=BATCH)
    )
    return rows


def encrypt_column(
    app_label: str,
    model_name: str,
    *,
    source: str,
    target: str,
    column: str,
    subject: str,
    bind: tuple[str, ...] = (),
    kind: str = "text",
    row: str = "public_id",
) -> MigrationStep:
    """A ``RunPython`` function: encrypt ``source`` (plaintext) into ``target`` (an encrypted
    field), bound as ``column`` with the attributes ``bind``. NULL stays NULL."""

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        subject_att = _attname(model, subject)
        bound = [_attname(model, name) for name in bind]
        for pk, row_id, subject_id, value, *context in _rows(
            model, ["pk", row, subject_att, source, *bound]
        ):
            if value is None:
                continue
            binding = make_binding(table, column, row_id, subject_id, bind, tuple(context))
            try:
                sealed = vault.encrypt(subject_id, encode(kind, value), binding)
            except Erased:
                sealed = erased_ciphertext()
            model.objects.filter(pk=pk).update(**{target: sealed})
        check_constraints_now(schema_editor)

    return forward


def decrypt_column(
    app_label: str,
    model_name: str,
    *,
    source: str,
    target: str,
    column: str,
    subject: str,
    bind: tuple[str, ...] = (),
    kind: str = "text",
    row: str = "public_id",
    erased: Any = "",
) -> MigrationStep:
    """The reverse of ``encrypt_column``: decrypt ``target`` back into the plaintext ``source``
    (``erased`` for values whose subject was shredded or which do not authenticate)."""

    def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        subject_att = _attname(model, subject)
        bound = [_attname(model, name) for name in bind]
        for pk, row_id, subject_id, sealed, *context in _rows(
            model, ["pk", row, subject_att, target, *bound]
        ):
            if sealed is None:
                continue
            binding = make_binding(table, column, row_id, subject_id, bind, tuple(context))
            try:
                value = decode(kind, vault.decrypt(subject_id, sealed.data, binding))
            except (Erased, vault.VaultError):
                value = erased
            model.objects.filter(pk=pk).update(**{source: value})
        check_constraints_now(schema_editor)

    return backward


def rebind_column(
    app_label: str,
    model_name: str,
    *,
    field: str,
    subject: str,
    old_bind: tuple[str, ...] = (),
    new_bind: tuple[str, ...] = (),
    row: str = "public_id",
) -> MigrationStep:
    """A ``RunPython`` function: re-encrypt an encrypted column from the binding ``old_bind`` to
    ``new_bind`` (also usable as its own reverse, with the two swapped). Values that do not
    decrypt under the old binding (erased, damaged, or already converted) are left as they are."""

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        column = model._meta.get_field(field).column
        subject_att = _attname(model, subject)
        old_atts = [_attname(model, name) for name in old_bind]
        new_atts = [_attname(model, name) for name in new_bind]
        names = ["pk", row, subject_att, field, *old_atts, *new_atts]
        for pk, row_id, subject_id, sealed, *context in _rows(model, names):
            if sealed is None:
                continue
            old_values, new_values = context[: len(old_atts)], context[len(old_atts) :]
            old = make_binding(table, column, row_id, subject_id, old_bind, tuple(old_values))
            new = make_binding(table, column, row_id, subject_id, new_bind, tuple(new_values))
            try:
                plaintext = vault.decrypt(subject_id, sealed.data, old)
            except (Erased, vault.VaultError):
                continue
            model.objects.filter(pk=pk).update(**{field: vault.encrypt(subject_id, plaintext, new)})
        check_constraints_now(schema_editor)

    return forward


class _ChunkReader:
    """A read-only file over an iterator of byte chunks (to re-seal a stream as it is read)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self._buffer = self._buffer + b"".join(self._chunks), b""
            return data
        while len(self._buffer) < size:
            piece = next(self._chunks, None)
            if piece is None:
                break
            self._buffer += piece
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def reseal_blob(
    store: EncryptedFileStore, *, subject: int, name: str, old: vault.Binding, new: vault.Binding
) -> str | None:
    """Re-seal one stored file under a new binding, streaming (memory stays flat). Returns the
    new stored name, or None when the old blob does not open (erased, damaged or missing): it is
    then left as it is. The caller deletes the old blob once its change has committed."""
    try:
        chunks = store.open(subject=subject, name=name, binding=old)
    except (Erased, vault.VaultError, OSError):
        return None
    try:
        reader = cast(IO[bytes], _ChunkReader(chunks))
        return store.store(subject=subject, fileobj=reader, binding=new)
    except vault.VaultError:
        return None
    finally:
        storage_close = getattr(chunks, "close", None)
        if storage_close is not None:
            storage_close()
