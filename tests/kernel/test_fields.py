"""Encrypted model fields: ciphertext in the column, the value on the attribute."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.fields import ERASED, UNREADABLE, Sealed, is_erased, is_unreadable
from mentorhaven.kernel.models import AuditEvent
from tests.kernel.vault_helpers import EncryptionProbe, keyring, probe_table  # noqa: F401

pytestmark = pytest.mark.usefixtures("keyring", "probe_table")

TABLE = EncryptionProbe._meta.db_table
NOTE = "I was passed over for promotion again"


@pytest.fixture
def alice(db):
    return User.objects.create_user(email="alice@fields.test", password="x" * 16)


@pytest.fixture
def bob(db):
    return User.objects.create_user(email="bob@fields.test", password="x" * 16)


def _raw(column: str, pk: int) -> bytes | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {TABLE} WHERE id = %s", [pk])  # noqa: S608
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


def _copy(column_from: str, pk_from: int, column_to: str, pk_to: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET {column_to} = "  # noqa: S608
            f"(SELECT {column_from} FROM {TABLE} WHERE id = %s) WHERE id = %s",
            [pk_from, pk_to],
        )


def test_column_holds_ciphertext_and_the_attribute_reads_plaintext(alice):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE, answers={"stress": 4})
    raw = _raw("body", probe.pk)
    assert NOTE.encode() not in raw and raw[:1] == vault.FORMAT_VERSION
    assert b"stress" not in _raw("answers", probe.pk)
    fresh = EncryptionProbe.objects.get(pk=probe.pk)
    assert fresh.body == NOTE
    assert fresh.answers == {"stress": 4}


def test_the_binding_is_known_before_the_row_has_a_primary_key(alice):
    probe = EncryptionProbe(author=alice, body=NOTE)
    assert probe.pk is None and probe.public_id is not None
    probe.save()
    assert EncryptionProbe.objects.get(pk=probe.pk).body == NOTE


def test_ciphertext_copied_to_another_row_reads_as_unreadable(alice):
    first = EncryptionProbe.objects.create(author=alice, body=NOTE)
    second = EncryptionProbe.objects.create(author=alice, body="harmless")
    _copy("body", first.pk, "body", second.pk)
    moved = EncryptionProbe.objects.get(pk=second.pk)
    assert moved.body == UNREADABLE and is_unreadable(moved.body)
    assert not is_erased(moved.body) and NOTE not in moved.body


def test_ciphertext_copied_to_another_column_reads_as_unreadable(alice):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE, notes="other")
    _copy("body", probe.pk, "notes", probe.pk)
    moved = EncryptionProbe.objects.get(pk=probe.pk)
    assert moved.body == NOTE
    assert is_unreadable(moved.notes)


def test_row_moved_to_another_subject_reads_as_unreadable(alice, bob):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE)
    EncryptionProbe.objects.create(author=bob, body="bob's")  # bob has a data key
    EncryptionProbe.objects.filter(pk=probe.pk).update(author=bob)
    assert is_unreadable(EncryptionProbe.objects.get(pk=probe.pk).body)


def test_an_unreadable_value_is_reported_once_per_loaded_row(alice):
    first = EncryptionProbe.objects.create(author=alice, body=NOTE)
    second = EncryptionProbe.objects.create(author=alice, body="x")
    _copy("body", first.pk, "body", second.pk)
    row = EncryptionProbe.objects.get(pk=second.pk)
    before = AuditEvent.objects.filter(action="vault.integrity_failure").count()
    assert [is_unreadable(row.body) for _ in range(3)] == [True] * 3
    events = AuditEvent.objects.filter(action="vault.integrity_failure")
    assert events.count() == before + 1
    event = events.order_by("-id").first()
    label = EncryptionProbe._meta.label_lower
    assert event.target_id == audit.target_pseudonym(alice, (label, str(second.public_id)))
    assert event.extra == {"column": "body"}
    assert event.actor == "system"


def test_saving_an_unreadable_row_keeps_its_ciphertext_as_evidence(alice):
    first = EncryptionProbe.objects.create(author=alice, body=NOTE)
    second = EncryptionProbe.objects.create(author=alice, body="x")
    _copy("body", first.pk, "body", second.pk)
    damaged = _raw("body", second.pk)
    row = EncryptionProbe.objects.get(pk=second.pk)
    assert is_unreadable(row.body)
    row.title = "renamed"
    row.save()
    assert _raw("body", second.pk) == damaged
    with pytest.raises(ValueError):
        EncryptionProbe.objects.create(author=alice, body=UNREADABLE)


def test_tampering_is_logged_with_identifiers_only(alice, caplog):
    first = EncryptionProbe.objects.create(author=alice, body=NOTE)
    second = EncryptionProbe.objects.create(author=alice, body="x")
    _copy("body", first.pk, "body", second.pk)
    assert is_unreadable(EncryptionProbe.objects.get(pk=second.pk).body)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "mentorhaven.vault")
    assert str(second.public_id) in logged
    assert NOTE not in logged


def test_shredded_subject_reads_as_the_erased_placeholder(alice, bob):
    mine = EncryptionProbe.objects.create(author=alice, body=NOTE, answers={"a": 1})
    theirs = EncryptionProbe.objects.create(author=bob, body="still here")
    vault.shred(alice)
    erased = EncryptionProbe.objects.get(pk=mine.pk)
    assert erased.body == ERASED and is_erased(erased.body)
    assert is_erased(erased.answers)
    assert str(erased.body) == "[erased]"
    assert EncryptionProbe.objects.get(pk=theirs.pk).body == "still here"
    assert not is_erased("[erased]")  # only the sentinel counts, not look-alike content


def test_saving_an_erased_row_keeps_its_ciphertext(alice):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE)
    before = _raw("body", probe.pk)
    vault.shred(alice)
    erased = EncryptionProbe.objects.get(pk=probe.pk)
    assert is_erased(erased.body)
    erased.title = "renamed"
    erased.save()
    assert _raw("body", probe.pk) == before


def test_reading_a_list_decrypts_nothing_until_a_value_is_read(alice, django_assert_num_queries):
    for i in range(3):
        EncryptionProbe.objects.create(author=alice, body=f"note {i}")
    vault.forget_cached_keys()
    with django_assert_num_queries(1):
        rows = list(EncryptionProbe.objects.order_by("pk"))
        assert all(type(r.__dict__["body"]) is Sealed for r in rows)
    with django_assert_num_queries(1):  # one key lookup, then the process cache
        assert [r.body for r in rows] == ["note 0", "note 1", "note 2"]


def test_saving_without_reading_writes_the_ciphertext_back_untouched(alice):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE)
    before = _raw("body", probe.pk)
    row = EncryptionProbe.objects.get(pk=probe.pk)
    row.title = "t"
    row.save()
    assert _raw("body", probe.pk) == before


def test_changing_a_value_re_encrypts_it(alice):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE)
    probe.body = "better now"
    probe.save()
    assert EncryptionProbe.objects.get(pk=probe.pk).body == "better now"


def test_null_stays_null_and_empty_text_is_encrypted(alice):
    probe = EncryptionProbe.objects.create(author=alice, body="")
    assert _raw("notes", probe.pk) is None and _raw("answers", probe.pk) is None
    assert _raw("body", probe.pk) is not None
    fresh = EncryptionProbe.objects.get(pk=probe.pk)
    assert fresh.body == "" and fresh.notes is None and fresh.answers is None


def test_deferred_encrypted_field_loads_and_decrypts_on_access(alice):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE)
    row = EncryptionProbe.objects.only("pk", "public_id", "author").get(pk=probe.pk)
    assert row.body == NOTE


def test_queryset_update_with_a_plain_value_is_refused(alice):
    probe = EncryptionProbe.objects.create(author=alice, body=NOTE)
    with pytest.raises(TypeError):
        EncryptionProbe.objects.filter(pk=probe.pk).update(body="unencrypted")
    with pytest.raises(TypeError):
        probe.body = "x"
        EncryptionProbe.objects.bulk_update([probe], ["body"])


def test_filtering_on_encrypted_content_is_refused(alice):
    with pytest.raises(FieldError):
        list(EncryptionProbe.objects.filter(body=NOTE))
    with pytest.raises(FieldError):
        list(EncryptionProbe.objects.filter(body__contains="promotion"))
    assert EncryptionProbe.objects.filter(notes__isnull=True).count() == 0


def test_values_never_returns_plaintext(alice):
    EncryptionProbe.objects.create(author=alice, body=NOTE)
    value = EncryptionProbe.objects.values_list("body", flat=True).get()
    assert isinstance(value, Sealed)
    assert NOTE not in repr(value) and NOTE not in str(value)


def test_bulk_create_encrypts_each_row_with_its_own_binding(alice):
    rows = EncryptionProbe.objects.bulk_create(
        [EncryptionProbe(author=alice, body=f"bulk {i}") for i in range(3)]
    )
    bodies = sorted(p.body for p in EncryptionProbe.objects.filter(author=alice))
    assert bodies == ["bulk 0", "bulk 1", "bulk 2"]
    assert len({_raw("body", p.pk) for p in EncryptionProbe.objects.all()}) == len(rows)


def test_missing_subject_is_an_error_not_silent_plaintext(alice):
    with pytest.raises(ValueError):
        EncryptionProbe(body=NOTE).save()


def test_field_checks_require_a_row_id_known_before_saving():
    from django.db import models

    from mentorhaven.kernel.fields import EncryptedTextField

    class Bad(models.Model):  # noqa: DJ008
        owner = models.BigIntegerField()
        text = EncryptedTextField(subject_field="owner", row_field="serial")
        serial = models.IntegerField()

        class Meta:
            app_label = "vault_probe"

    ids = {e.id for e in Bad._meta.get_field("text").check()}
    assert "kernel.E102" in ids


def test_subject_can_be_a_plain_id_column():
    """``subject_field`` may name an integer column as well as a foreign key."""
    from django.db import models

    from mentorhaven.kernel.fields import EncryptedTextField

    class ById(models.Model):  # noqa: DJ008
        owner_id_value = models.BigIntegerField()
        text = EncryptedTextField(subject_field="owner_id_value", row_field="pk")

        class Meta:
            app_label = "vault_probe"

    row = ById(pk=5, owner_id_value=42)
    subject, binding = ById._meta.get_field("text").binding(row)
    assert subject == 42 and binding.row == "5" and binding.subject == "42"


# --- the attributes that decide who may read a row are bound into its ciphertext -----------------


def test_flipping_a_bound_attribute_in_sql_makes_the_value_unreadable(alice):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE, circle=1, shared=False)
    EncryptionProbe.objects.filter(pk=probe.pk).update(shared=True)  # what an insider could do
    assert is_unreadable(EncryptionProbe.objects.get(pk=probe.pk).secret)


def test_moving_a_row_to_another_circle_in_sql_makes_the_value_unreadable(alice):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE, circle=1, body="plain")
    EncryptionProbe.objects.filter(pk=probe.pk).update(circle=2)
    moved = EncryptionProbe.objects.get(pk=probe.pk)
    assert is_unreadable(moved.secret)
    assert moved.body == "plain"  # a value not bound to the circle is unaffected


def test_a_bound_attribute_changed_back_in_sql_reads_again(alice):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE, circle=1)
    EncryptionProbe.objects.filter(pk=probe.pk).update(circle=2)
    EncryptionProbe.objects.filter(pk=probe.pk).update(circle=1)
    assert EncryptionProbe.objects.get(pk=probe.pk).secret == NOTE


def test_changing_a_bound_attribute_through_save_re_encrypts_without_reading(alice):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE, circle=1)
    before = _raw("secret", probe.pk)
    row = EncryptionProbe.objects.get(pk=probe.pk)
    assert type(row.__dict__["secret"]) is Sealed  # never read
    row.shared = True
    row.save()
    assert _raw("secret", probe.pk) != before
    assert EncryptionProbe.objects.get(pk=probe.pk).secret == NOTE


def test_changing_a_bound_attribute_after_reading_re_encrypts(alice):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE, circle=1)
    row = EncryptionProbe.objects.get(pk=probe.pk)
    assert row.secret == NOTE
    row.circle = 7
    row.save()
    assert EncryptionProbe.objects.get(pk=probe.pk).secret == NOTE


def test_saving_only_a_bound_attribute_is_refused(alice):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE, circle=1)
    row = EncryptionProbe.objects.get(pk=probe.pk)
    row.shared = True
    with pytest.raises(ValueError):
        row.save(update_fields=["shared"])
    row.save(update_fields=["shared", "secret"])
    assert EncryptionProbe.objects.get(pk=probe.pk).secret == NOTE


def test_moving_a_row_to_another_subject_through_save_re_encrypts(alice, bob):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE)
    row = EncryptionProbe.objects.get(pk=probe.pk)
    row.author = bob
    row.save()
    vault.shred(alice)
    assert EncryptionProbe.objects.get(pk=probe.pk).secret == NOTE  # now under bob's key


def test_an_unchanged_row_is_written_back_untouched(alice):
    probe = EncryptionProbe.objects.create(author=alice, secret=NOTE, circle=3)
    before = _raw("secret", probe.pk)
    row = EncryptionProbe.objects.get(pk=probe.pk)
    row.title = "t"
    row.save()
    assert _raw("secret", probe.pk) == before


def test_lists_with_bound_fields_still_decrypt_nothing_until_read(alice, django_assert_num_queries):
    for i in range(3):
        EncryptionProbe.objects.create(author=alice, secret=f"s{i}", circle=i)
    vault.forget_cached_keys()
    with django_assert_num_queries(1):
        rows = list(EncryptionProbe.objects.order_by("pk"))
    with django_assert_num_queries(1):
        assert [r.secret for r in rows] == ["s0", "s1", "s2"]


def test_the_field_check_names_a_bound_attribute_that_is_not_a_column():
    from django.db import models

    from mentorhaven.kernel.fields import EncryptedTextField

    class BadBind(models.Model):  # noqa: DJ008
        owner = models.BigIntegerField()
        text = EncryptedTextField(subject_field="owner", row_field="pk", bind=["nowhere"])

        class Meta:
            app_label = "vault_probe"

    assert "kernel.E101" in {e.id for e in BadBind._meta.get_field("text").check()}
