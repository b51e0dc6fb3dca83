"""Encrypted model fields: the column holds vault ciphertext, the attribute holds the value.

::

    class Note(models.Model):
        public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        author = models.ForeignKey(User, on_delete=models.PROTECT)
        relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE)
        shared = models.BooleanField(default=False)
        body = EncryptedTextField(subject_field="author", bind=("relationship", "shared"))

Each value is encrypted under the data key of the row's subject (the user in ``subject_field``)
and bound to (table, column, row id, subject) and to the attributes named in ``bind``: the ones
that decide who may read the row. Bytes copied to another row, column or subject do not decrypt,
and neither does a row whose ``shared`` flag or relationship was changed behind the
application's back (in SQL): it becomes unreadable instead of reaching a new audience. The row
id comes from ``row_field`` (default ``public_id``), which must be set before the first save — a
UUID with ``default=uuid.uuid4`` is — so the binding is known before the database hands out a
primary key.

A legitimate change of a bound attribute (or of the subject) goes through ``save()``: the field
remembers the binding each row was loaded with, and re-encrypts under the new one when it
differs, whether or not the value was read. ``QuerySet.update()`` of a bound attribute does not
re-encrypt, so the rows it touches become unreadable: services change them with ``save()``.

Reading is lazy: a loaded row holds its ciphertext until the attribute is read, so listing rows
decrypts nothing, and saving a row whose encrypted field was never read (nor re-bound) writes
the ciphertext back untouched. When the subject has been shredded, the attribute reads as
``ERASED`` (test with ``is_erased``). A ciphertext that fails authentication (tampered, moved,
or re-bound in SQL) reads as ``UNREADABLE`` (``is_unreadable``): the page still renders, an
audit event ``vault.integrity_failure`` is recorded and the organization's security officers are
told (``kernel/integrity.py``). Neither placeholder is ever an exception, and neither can be
stored as content.

Guard rails: ``QuerySet.update()`` and ``bulk_update()`` with a plain value are refused (they do
not know the row, so they cannot encrypt); lookups other than ``isnull`` are refused (the database
only holds ciphertext); ``values()`` returns ``Sealed`` objects, never plaintext.
Never put model instances with decrypted values into a cache.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core import checks
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.fields.values import (
    ERASED,
    UNREADABLE,
    ErasedValue,
    Sealed,
    Unavailable,
    UnreadableValue,
    access_context,
    is_erased,
    is_unavailable,
    is_unreadable,
    make_binding,
)

logger = logging.getLogger("mentorhaven.vault")


_MISSING = object()


class _EncryptedAttribute(DeferredAttribute):
    """A data descriptor (it has ``__set__``), so reads pass through ``__get__`` even when the
    value is already in the instance dict: that is where a ``Sealed`` value gets opened."""

    def __set__(self, instance: Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Model | None, cls: type[Model] | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname, _MISSING)
        if value is _MISSING:  # deferred: let Django load it
            value = super().__get__(instance, cls)
        if type(value) is Sealed:
            field: EncryptedField = self.field  # type: ignore[assignment]
            return field._open(instance, value)
        return value


class EncryptedField(models.BinaryField[Any, Any]):
    """Base of the encrypted fields: subclasses say how a value becomes bytes and back."""

    descriptor_class = _EncryptedAttribute
    empty_values = [None]
    # No "empty" database default: there is no ciphertext without a row to bind it to, so the
    # schema editor must never try to write one when a column is added or made NOT NULL.
    empty_strings_allowed = False
    # Options that change the ciphertext, not the column: altering them needs no schema change
    # (a migration that changes ``bind`` re-encrypts the rows itself, see kernel/reencrypt.py).
    non_db_attrs = (*models.BinaryField.non_db_attrs, "subject_field", "row_field", "bind")

    def __init__(
        self,
        *args: Any,
        subject_field: str,
        row_field: str = "public_id",
        bind: tuple[str, ...] | list[str] = (),
        **kwargs: Any,
    ) -> None:
        self.subject_field = subject_field
        self.row_field = row_field
        self.bind = tuple(bind)
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[Model], name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            # Remember, for every loaded row, the binding its ciphertext was written under.
            # A weak receiver: historical models built by migrations come and go with it.
            models.signals.post_init.connect(self._remember_origin, sender=cls)
            models.signals.pre_save.connect(self._refuse_partial_rebind, sender=cls)

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

    @cached_property
    def _bound_attnames(self) -> tuple[str, ...]:
        return tuple(
            self.model._meta.get_field(name).attname  # type: ignore[union-attr]
            for name in self.bind
        )

    def _origin_from(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """(subject, bound attribute values) read from an instance dict, or None if one of
        them is not loaded (deferred): reading it here would cost a query per row."""
        try:
            return (
                values[self._subject_attname],
                *(values[attname] for attname in self._bound_attnames),
            )
        except KeyError:
            return None

    def _remember_origin(self, sender: type[Model], instance: Model, **kwargs: Any) -> None:
        value = instance.__dict__.get(self.attname)
        if type(value) is Sealed:
            value.origin = self._origin_from(instance.__dict__)

    def _refuse_partial_rebind(
        self,
        sender: type[Model],
        instance: Model,
        update_fields: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        # save(update_fields=["shared"]) would change who may read the row without
        # re-encrypting its content, leaving it unreadable: the value must be saved with it.
        if update_fields is None or self.name in update_fields:
            return
        bound = {self.subject_field, self._subject_attname, *self.bind, *self._bound_attnames}
        if bound & set(update_fields):
            raise ValueError(
                f"{self.model.__name__}.{self.name} is bound to what decides who may read it: "
                "save it in the same update_fields"
            )

    def _current_origin(self, instance: Model) -> tuple[Any, ...]:
        return (
            getattr(instance, self._subject_attname),
            *(getattr(instance, attname) for attname in self._bound_attnames),
        )

    def _binding_of(self, instance: Model, origin: tuple[Any, ...]) -> tuple[int, vault.Binding]:
        subject_id = origin[0]
        if subject_id is None:
            raise ValueError(f"{self.model.__name__}.{self.name}: the subject is not set")
        row = getattr(instance, self.row_field)
        if row is None:
            raise ValueError(
                f"{self.model.__name__}.{self.name}: {self.row_field} must be set before saving"
            )
        return int(subject_id), make_binding(
            self.model._meta.db_table,
            str(self.column),
            row,
            subject_id,
            self.bind,
            origin[1:],
        )

    def binding(self, instance: Model) -> tuple[int, vault.Binding]:
        """The subject and binding for the row as it is now."""
        return self._binding_of(instance, self._current_origin(instance))

    def _open(self, instance: Model, sealed: Sealed) -> Any:
        if sealed.failed:
            return UNREADABLE
        subject_id, binding = self._binding_of(
            instance, sealed.origin if sealed.origin is not None else self._current_origin(instance)
        )
        try:
            value = self.decode(vault.decrypt(subject_id, sealed.data, binding))
        except Erased:
            return ERASED  # the ciphertext stays in place, so saving the row keeps it as is
        except (vault.VaultError, UnicodeDecodeError, ValueError):
            # Tampered, moved or re-bound: an integrity incident. The page shows a placeholder;
            # the ciphertext stays in place (saving the row keeps it as evidence).
            sealed.failed = True
            logger.error(
                "vault: ciphertext failed authentication table=%s column=%s row=%s",
                binding.table,
                binding.column,
                binding.row,
            )
            from mentorhaven.kernel.integrity import report_integrity_failure

            report_integrity_failure(
                model=self.model._meta.label_lower,
                column=binding.column,
                row=binding.row,
                subject_id=subject_id,
            )
            return UNREADABLE
        instance.__dict__[self.attname] = value
        return value

    def _rebind(self, instance: Model, sealed: Sealed) -> Sealed:
        """Re-encrypt a value that was never read under the row's new binding."""
        assert sealed.origin is not None
        current = self._current_origin(instance)
        if sealed.failed:
            return sealed
        old_subject, old_binding = self._binding_of(instance, sealed.origin)
        try:
            plaintext = vault.decrypt(old_subject, sealed.data, old_binding)
        except (Erased, vault.VaultError):
            return sealed  # nothing readable to carry over: keep the stored bytes as they are
        subject_id, binding = self._binding_of(instance, current)
        rebound = Sealed(vault.encrypt(subject_id, plaintext, binding), origin=current)
        instance.__dict__[self.attname] = rebound
        return rebound

    # --- Django field protocol -----------------------------------------------------------------

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return value
        if type(value) is Sealed:
            if value.origin is None or value.origin == self._current_origin(model_instance):
                return value
            return self._rebind(model_instance, value)
        if is_unavailable(value):
            raise ValueError("a placeholder cannot be stored as content")
        subject_id, binding = self.binding(model_instance)
        return vault.encrypt(subject_id, self.encode(value), binding)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if type(value) is Sealed:
            value = value.data
        elif value is not None and not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: write it with save() "
                "(QuerySet.update and bulk_update cannot encrypt)"
            )
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(
        self, value: Any, expression: Any, connection: BaseDatabaseWrapper
    ) -> Sealed | None:
        if value is None:
            return None
        return Sealed(bytes(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_default(self) -> Any:
        return models.Field.get_default(self)

    def value_to_string(self, obj: Model) -> Any:
        # Serialization (dumpdata) carries ciphertext only, base64-encoded.
        value = obj.__dict__.get(self.attname)
        if value is None:
            return None
        data = value.data if type(value) is Sealed else self.pre_save(obj, add=False)
        return base64.b64encode(data).decode("ascii")

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["subject_field"] = self.subject_field
        if self.row_field != "public_id":
            kwargs["row_field"] = self.row_field
        if self.bind:
            kwargs["bind"] = list(self.bind)
        if kwargs.get("editable") is True:
            del kwargs["editable"]
        else:
            kwargs["editable"] = False
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        opts = self.model._meta
        for attr, hint in (
            (self.subject_field, "the field holding the data subject (a user)"),
            (self.row_field, "a field set before saving, e.g. a UUID with a default"),
            *((name, "a field that decides who may read the row") for name in self.bind),
        ):
            if attr == "pk":
                continue
            try:
                found = opts.get_field(attr)
            except Exception:
                found = None
            if not isinstance(found, models.Field) or not found.concrete:
                errors.append(
                    checks.Error(
                        f"{opts.label}.{self.name} names {attr!r}, which is not a column",
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
    # For django-stubs: the attribute holds text (a placeholder is text too), not bytes.
    _pyi_private_set_type: str
    _pyi_private_get_type: str  # type: ignore[assignment]

    def get_default(self) -> Any:
        # A new row's NOT NULL text starts empty (and is encrypted as such when saved).
        if not self.has_default() and not self.null:
            return ""
        return super().get_default()

    def encode(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return models.Field.formfield(
            self, **{"form_class": forms.CharField, "widget": forms.Textarea, **kwargs}
        )


class EncryptedJSONField(EncryptedField):
    description = "JSON encrypted under the row subject's data key"
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any
    empty_strings_allowed = False

    def encode(self, value: Any) -> bytes:
        return json.dumps(
            value, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return json.loads(data)

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return models.Field.formfield(self, **{"form_class": forms.JSONField, **kwargs})


__all__ = [
    "ERASED",
    "UNREADABLE",
    "EncryptedField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "ErasedValue",
    "Sealed",
    "Unavailable",
    "UnreadableValue",
    "access_context",
    "is_erased",
    "is_unavailable",
    "is_unreadable",
    "make_binding",
]
