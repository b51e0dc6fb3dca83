"""Encrypted model fields: the column holds vault ciphertext, the attribute holds the value.

::

    class Note(models.Model):
        public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        author = models.ForeignKey(User, on_delete=models.PROTECT)
        body = EncryptedTextField(subject_field="author")

Each value is encrypted under the data key of the row's subject (the user in ``subject_field``)
and bound to (table, column, row id, subject): bytes copied to another row, column or subject
do not decrypt. The row id comes from ``row_field`` (default ``public_id``), which must be set
before the first save — a UUID with ``default=uuid.uuid4`` is — so the binding is known when the
row is encrypted, before the database hands out a primary key.

Reading is lazy: a loaded row holds its ciphertext until the attribute is read, so listing rows
decrypts nothing, and saving a row whose encrypted field was never read writes the ciphertext
back untouched. When the subject has been shredded, the attribute reads as ``ERASED`` (test with
``is_erased``) — never an exception. A ciphertext that fails authentication (tampered or moved)
raises ``VaultError``: that is an integrity incident, not a state to paper over.

Guard rails: ``QuerySet.update()`` and ``bulk_update()`` with a plain value are refused (they do
not know the row, so they cannot encrypt); lookups other than ``isnull`` are refused (the database
only holds ciphertext); ``values()`` returns ``Sealed`` objects, never plaintext. Changing a row's
subject or row id does not re-encrypt: a service that moves content reads it and writes it again.
Never put model instances with decrypted values into a cache.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from django import forms
from django.core import checks
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Erased

logger = logging.getLogger("mentorhaven.vault")


class ErasedValue(str):
    """The placeholder read in place of crypto-shredded content."""

    __slots__ = ()


ERASED = ErasedValue("[erased]")


def is_erased(value: Any) -> bool:
    return isinstance(value, ErasedValue)


class Sealed:
    """Ciphertext as loaded from the database, opened on first attribute access."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data

    def __repr__(self) -> str:
        return "<sealed>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.data == self.data

    __hash__ = None  # type: ignore[assignment]


_MISSING = object()


class _EncryptedAttribute(DeferredAttribute):
    """A data descriptor (it has ``__set__``), so reads pass through ``__get__`` even when the
    value is already in the instance dict: that is where a ``Sealed`` value gets opened."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname, _MISSING)
        if value is _MISSING:  # deferred: let Django load it
            value = super().__get__(instance, cls)
        if type(value) is Sealed:
            field: EncryptedField = self.field  # type: ignore[assignment]
            return field._open(instance, value)
        return value


class EncryptedField(models.BinaryField):
    """Base of the encrypted fields: subclasses say how a value becomes bytes and back."""

    descriptor_class = _EncryptedAttribute
    empty_values = [None]

    def __init__(self, *args, subject_field: str, row_field: str = "public_id", **kwargs):
        self.subject_field = subject_field
        self.row_field = row_field
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    # --- value <-> bytes (subclasses) ----------------------------------------------------------

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    # --- binding -------------------------------------------------------------------------------

    @cached_property
    def _subject_attname(self) -> str:
        field = self.model._meta.get_field(self.subject_field)
        return field.attname  # type: ignore[union-attr]

    def binding(self, instance) -> tuple[int, vault.Binding]:
        subject_id = getattr(instance, self._subject_attname)
        if subject_id is None:
            raise ValueError(f"{self.model.__name__}.{self.name}: the subject is not set")
        row = getattr(instance, self.row_field)
        if row is None:
            raise ValueError(
                f"{self.model.__name__}.{self.name}: {self.row_field} must be set before saving"
            )
        return int(subject_id), vault.Binding(
            self.model._meta.db_table, str(self.column), str(row), str(subject_id)
        )

    def _open(self, instance, sealed: Sealed) -> Any:
        subject_id, binding = self.binding(instance)
        try:
            plaintext = vault.decrypt(subject_id, sealed.data, binding)
        except Erased:
            return ERASED  # the ciphertext stays in place, so saving the row keeps it as is
        except vault.VaultError:
            logger.error(
                "vault: ciphertext failed authentication table=%s column=%s row=%s",
                binding.table,
                binding.column,
                binding.row,
            )
            raise
        value = self.decode(plaintext)
        instance.__dict__[self.attname] = value
        return value

    # --- Django field protocol -----------------------------------------------------------------

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or type(value) is Sealed:
            return value
        if is_erased(value):
            raise ValueError("the erased placeholder cannot be stored as content")
        subject_id, binding = self.binding(model_instance)
        return vault.encrypt(subject_id, self.encode(value), binding)

    def get_db_prep_value(self, value, connection, prepared=False):
        if type(value) is Sealed:
            value = value.data
        elif value is not None and not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: write it with save() "
                "(QuerySet.update and bulk_update cannot encrypt)"
            )
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Sealed(bytes(value))

    def to_python(self, value):
        return value

    def get_default(self):
        return models.Field.get_default(self)

    def value_to_string(self, obj):
        # Serialization (dumpdata) carries ciphertext only, base64-encoded.
        value = obj.__dict__.get(self.attname)
        if value is None:
            return None
        data = value.data if type(value) is Sealed else self.pre_save(obj, add=False)
        return base64.b64encode(data).decode("ascii")

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name):
        return None

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["subject_field"] = self.subject_field
        if self.row_field != "public_id":
            kwargs["row_field"] = self.row_field
        if kwargs.get("editable") is True:
            del kwargs["editable"]
        else:
            kwargs["editable"] = False
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        opts = self.model._meta
        for attr, hint in (
            (self.subject_field, "the field holding the data subject (a user)"),
            (self.row_field, "a field set before saving, e.g. a UUID with a default"),
        ):
            if attr == "pk":
                continue
            try:
                opts.get_field(attr)
            except Exception:
                errors.append(
                    checks.Error(
                        f"{opts.label}.{self.name} names {attr!r}, which is not a field",
                        hint=f"Name {hint}.",
                        obj=self,
                        id="kernel.E101",
                    )
                )
        if self.row_field != "pk":
            try:
                row = opts.get_field(self.row_field)
            except Exception:
                row = None
            if isinstance(row, models.Field) and not (row.has_default() or row.primary_key):
                errors.append(
                    checks.Error(
                        f"{opts.label}.{self.name}: {self.row_field!r} has no default, so the "
                        "row id may be unknown when the row is first encrypted",
                        obj=self,
                        id="kernel.E102",
                    )
                )
        return errors


class EncryptedTextField(EncryptedField):
    description = "Text encrypted under the row subject's data key"

    def encode(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")

    def formfield(self, **kwargs):
        return models.Field.formfield(
            self, **{"form_class": forms.CharField, "widget": forms.Textarea, **kwargs}
        )


class EncryptedJSONField(EncryptedField):
    description = "JSON encrypted under the row subject's data key"
    empty_strings_allowed = False

    def encode(self, value: Any) -> bytes:
        return json.dumps(
            value, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return json.loads(data)

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": forms.JSONField, **kwargs})
