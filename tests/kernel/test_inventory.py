"""The data inventory and its system check: nothing personal is stored without a declaration."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps

from mentorhaven.accounts.models import ApiToken, User
from mentorhaven.kernel import audit, inventory, vault
from mentorhaven.kernel.checks import invalid_declarations, inventory_errors
from mentorhaven.kernel.inventory import Category, Erasure, Field, ModelDeclaration
from mentorhaven.programs.models import Membership, Program

DOCS = Path(settings.PROJECT_DIR) / "docs" / "privacy.md"


@pytest.fixture(autouse=True)
def _fresh_vault_cache():
    # Database rows roll back between tests but the vault's in-process key cache does not, and
    # SQLite reuses primary keys: start each test with an empty cache.
    vault.forget_cached_keys()
    yield
    vault.forget_cached_keys()


def _field(name: str, **overrides) -> Field:
    values = {
        "category": Category.PROGRAM,
        "label": "Something about you",
        "purpose": "testing",
        "basis": "contract",
        "visible_to": ("self",),
        "retention": "a day",
        "erasure": Erasure.DELETE,
    }
    values.update(overrides)
    return Field(name, **values)


def _declaration(model: str, *fields: Field, **options) -> dict[str, ModelDeclaration]:
    options.setdefault("record", "Things")
    return {model.lower(): ModelDeclaration(model, {f.name: f for f in fields}, **options)}


def _ids(errors) -> list[str]:
    return [e.id for e in errors]


# --- the check on the real project ---------------------------------------------------------------


def test_every_installed_model_is_fully_declared():
    errors = checks.run_checks(tags=["mentorhaven"])
    assert errors == [], "\n".join(str(e) for e in errors)


def test_the_check_runs_with_the_start_up_checks():
    call_command("check", "--tag", "mentorhaven", "--fail-level", "ERROR")  # passes as declared


def test_start_up_fails_when_a_real_declaration_is_removed(monkeypatch):
    trimmed = {k: v for k, v in inventory.REGISTRY.items() if k != "accounts.apitoken"}
    monkeypatch.setattr(inventory, "REGISTRY", trimmed)
    with pytest.raises(SystemCheckError, match=r"accounts\.ApiToken\.user links to a person"):
        call_command("check", "--tag", "mentorhaven")


def test_every_user_link_of_every_installed_model_is_declared():
    from django.apps import apps

    links = [
        (m._meta.label_lower, f.name)
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if f.is_relation
        and not f.auto_created
        and f.related_model is User
        and m._meta.label_lower not in inventory.EXEMPT
    ]
    assert ("programs.invitation", "invited_by") in links
    for label, name in links:
        assert name in inventory.REGISTRY[label].fields, f"{label}.{name}"


def test_third_party_models_holding_people_are_declared():
    for label in (
        "account.emailaddress",
        "mfa.authenticator",
        "usersessions.usersession",
        "sessions.session",
        "kernel.subjectkey",
        "kernel.auditevent",
    ):
        assert label in inventory.REGISTRY, label


def test_every_declared_field_has_purpose_basis_retention_and_erasure():
    for declaration in inventory.REGISTRY.values():
        for f in declaration.fields.values():
            assert f.purpose and f.retention, (declaration.model, f.name)
            assert f.basis in inventory.LAWFUL_BASES
            assert isinstance(f.category, Category) and isinstance(f.erasure, Erasure)


# --- the check on throwaway models -------------------------------------------------------------


@isolate_apps("mentorhaven.kernel")
def test_an_undeclared_user_foreign_key_is_reported():
    class Diary(models.Model):  # noqa: DJ008
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        kind = models.CharField(max_length=10, choices=[("a", "A"), ("b", "B")])

        class Meta:
            app_label = "kernel"

    errors = inventory_errors([Diary], registry={}, exempt={})
    assert _ids(errors) == ["mentorhaven.E001"]
    assert "kernel.Diary.owner" in errors[0].msg


@isolate_apps("mentorhaven.kernel")
def test_one_to_one_and_many_to_many_user_links_are_reported():
    class Pairing(models.Model):  # noqa: DJ008
        lead = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
        watchers = models.ManyToManyField(User, related_name="+")

        class Meta:
            app_label = "kernel"

    errors = inventory_errors([Pairing], registry={}, exempt={})
    assert sorted(e.msg.split(" ")[0] for e in errors) == [
        "kernel.Pairing.lead",
        "kernel.Pairing.watchers",
    ]


@isolate_apps("mentorhaven.kernel")
def test_declaring_the_user_link_clears_the_error():
    class Diary(models.Model):  # noqa: DJ008
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "kernel"

    registry = _declaration("kernel.Diary", _field("owner", subject=True))
    assert inventory_errors([Diary], registry=registry, exempt={}) == []


@isolate_apps("mentorhaven.kernel")
@pytest.mark.parametrize(
    "name", ["phone_number", "home_address", "date_of_birth", "private_note", "body", "ip"]
)
def test_a_personal_sounding_field_must_be_declared(name):
    attrs = {
        name: models.CharField(max_length=10),
        "Meta": type("Meta", (), {"app_label": "kernel"}),
        "__module__": __name__,
    }
    model = type(f"Throwaway{name.title().replace('_', '')}", (models.Model,), attrs)
    errors = inventory_errors([model], registry={}, exempt={})
    assert _ids(errors) == ["mentorhaven.E002"]


@isolate_apps("mentorhaven.kernel")
def test_fields_holding_personal_data_by_type_must_be_declared():
    class Contact(models.Model):  # noqa: DJ008
        reach = models.EmailField()
        seen_from = models.GenericIPAddressField()

        class Meta:
            app_label = "kernel"

    assert _ids(inventory_errors([Contact], registry={}, exempt={})) == ["mentorhaven.E002"] * 2


@isolate_apps("mentorhaven.kernel")
def test_an_exemption_with_a_reason_accepts_a_field_that_only_sounds_personal():
    class Venue(models.Model):  # noqa: DJ008
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "kernel"

    assert _ids(inventory_errors([Venue], registry={}, exempt={})) == ["mentorhaven.E002"]
    assert inventory_errors([Venue], registry={}, exempt={"kernel.venue.name": "a place"}) == []


def test_an_exemption_needs_a_reason():
    with pytest.raises(ValueError):
        inventory.exempt("programs.Program", "  ", fields=["name"])


def test_a_declaration_naming_a_missing_field_or_model_is_reported():
    registry = {
        **_declaration("accounts.ApiToken", _field("nickname", subject=True)),
        **_declaration("accounts.Ghost", _field("user")),
    }
    errors = inventory_errors([], registry=registry, exempt={"programs.nothing": "gone"})
    assert sorted(_ids(errors)) == ["mentorhaven.E003", "mentorhaven.E004", "mentorhaven.E008"]


def test_a_declaration_that_cannot_find_its_subject_is_reported():
    registry = _declaration("accounts.ApiToken", _field("user"))
    assert _ids(inventory_errors([], registry=registry, exempt={})) == ["mentorhaven.E005"]


def test_a_field_cannot_be_declared_visible_to_an_unknown_audience():
    field = _field(
        "user", subject=True, category=Category.PERSONAL, visible_to=("self", "superuser")
    )
    registry = _declaration("accounts.ApiToken", field)
    errors = inventory_errors([], registry=registry, exempt={})
    assert _ids(errors) == ["mentorhaven.E007"]
    assert "superuser" in errors[0].msg


def test_an_unknown_lawful_basis_is_reported():
    field = _field("user", subject=True, basis="because")
    registry = _declaration("accounts.ApiToken", field)
    assert _ids(inventory_errors([], registry=registry, exempt={})) == ["mentorhaven.E006"]


def test_an_undeclared_real_model_is_reported_field_by_field():
    errors = inventory_errors([ApiToken], registry={}, exempt={})
    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [
        ("mentorhaven.E001", "accounts.ApiToken.user"),
        ("mentorhaven.E002", "accounts.ApiToken.name"),
        ("mentorhaven.E009", "accounts.ApiToken.prefix"),
        ("mentorhaven.E009", "accounts.ApiToken.token_hash"),
    ]


# --- counting a person's records ---------------------------------------------------------------


def test_records_about_a_person_grow_with_their_memberships(personas):
    before = inventory.records_about(personas.cara)
    other = Program.objects.create(organization=personas.org, name="Second", slug="second")
    Membership.objects.create(program=other, user=personas.cara, role=Membership.Role.MENTEE)
    after = inventory.records_about(personas.cara)
    assert after[Category.PROGRAM] == before[Category.PROGRAM] + 1
    assert after[Category.PERSONAL] == before[Category.PERSONAL]


def test_one_query_counts_what_each_model_holds_as_counting_them_apart_does(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    audit.record(action="test.read", actor=personas.ana, subject=personas.cara, category="program")
    for person in (personas.cara, personas.ana, personas.coordinator, personas.outsider):
        apart = {label: inventory.holdings(d, person) for label, d in inventory.REGISTRY.items()}
        with CaptureQueriesContext(connection) as queries:
            together = inventory.all_holdings(person)
        assert together == apart
        # One counting query (a few declarations look their subject up first), not one a model.
        assert len(queries.captured_queries) <= 5 < len(inventory.REGISTRY)
    assert sum(together[label].per_field.get("user", 0) for label in together) > 0


def test_records_about_a_person_count_only_their_own_rows(personas):
    cara = inventory.records_about(personas.cara)
    Membership.objects.create(
        program=personas.other_program, user=personas.outsider, role=Membership.Role.MENTOR
    )
    assert inventory.records_about(personas.cara) == cara
    rows = inventory.REGISTRY["programs.membership"].rows_for(personas.cara)
    assert {m.user_id for m in rows} == {personas.cara.pk}


def test_audit_events_about_a_person_are_counted_until_their_key_is_shredded(personas):
    declaration = inventory.REGISTRY["kernel.auditevent"]
    cara, ana, dev = (
        declaration.rows_for(p).count() for p in (personas.cara, personas.ana, personas.dev)
    )
    audit.record(action="test.read", actor=personas.ana, subject=personas.cara, category="program")
    audit.record(action="test.read", actor=personas.ana, subject=personas.dev, category="program")
    assert declaration.rows_for(personas.cara).count() == cara + 1
    assert declaration.rows_for(personas.dev).count() == dev + 1
    assert declaration.rows_for(personas.ana).count() == ana + 2
    vault.shred(personas.cara)
    assert declaration.rows_for(personas.cara).count() == 0


def test_counting_does_not_create_keys_for_people_who_have_none(personas):
    from mentorhaven.kernel.models import SubjectKey

    inventory.records_about(personas.dev)
    assert not SubjectKey.objects.filter(subject_id=personas.dev.pk).exists()


def test_invitations_sent_to_a_persons_address_count_as_theirs(personas):
    from datetime import timedelta

    from django.utils import timezone

    from mentorhaven.programs.models import Invitation

    declaration = inventory.REGISTRY["programs.invitation"]
    Invitation.objects.create(
        organization=personas.org,
        email=personas.cara.email.upper(),
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=1),
        invited_by=personas.coordinator,
    )
    assert declaration.rows_for(personas.cara).count() == 1
    assert declaration.rows_for(personas.coordinator).count() == 1
    assert declaration.rows_for(personas.dev).count() == 0


def test_the_subject_of_a_row_follows_its_declaration(personas):
    membership = Membership.objects.get(user=personas.cara)
    assert inventory.REGISTRY["programs.membership"].subject_of(membership) == personas.cara
    assert inventory.REGISTRY["accounts.user"].subject_of(personas.cara) == personas.cara


# --- docs/privacy.md carries the generated data map ---------------------------------------------

BLOCK = re.compile(r"<!-- data-map:start -->\n(.*?)\n<!-- data-map:end -->", re.S)


def test_the_data_map_in_the_privacy_doc_matches_the_inventory():
    generated = inventory.markdown_summary()
    text = DOCS.read_text()
    if os.environ.get("MENTORHAVEN_WRITE_DOCS"):
        DOCS.write_text(
            BLOCK.sub(
                lambda _: f"<!-- data-map:start -->\n{generated}\n<!-- data-map:end -->", text
            )
        )
        text = DOCS.read_text()
    found = BLOCK.search(text)
    assert found, "docs/privacy.md lost its data-map markers"
    assert found.group(1) == generated, (
        "docs/privacy.md's data map is out of date: regenerate it with "
        "MENTORHAVEN_WRITE_DOCS=1 pytest tests/kernel/test_inventory.py -k privacy_doc"
    )


@isolate_apps("mentorhaven.kernel")
def test_an_encrypted_field_must_be_declared_whatever_its_name():
    from mentorhaven.kernel.fields import EncryptedTextField

    class Sealed(models.Model):  # noqa: DJ008
        public_id = models.UUIDField()
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        zz = EncryptedTextField(subject_field="owner")

        class Meta:
            app_label = "kernel"

    registry = _declaration("kernel.Sealed", _field("owner", subject=True))
    errors = inventory_errors([Sealed], registry=registry, exempt={})
    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [
        ("mentorhaven.E002", "kernel.Sealed.zz")
    ]


# --- the allow-list: every column is harmless by kind, declared, or exempted with a reason --------


@isolate_apps("mentorhaven.kernel")
def test_a_column_of_any_name_that_is_not_harmless_by_kind_must_be_declared():
    class Goalish(models.Model):  # noqa: DJ008
        public_id = models.UUIDField()
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        struggles = models.TextField()  # a name no word list would catch
        emergency_contact = models.CharField(max_length=100)
        extras = models.JSONField(default=dict)
        weight = models.FloatField(default=0)

        class Meta:
            app_label = "kernel"

    registry = _declaration("kernel.Goalish", _field("owner", subject=True))
    errors = inventory_errors([Goalish], registry=registry, exempt={})
    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [
        ("mentorhaven.E009", f"kernel.Goalish.{name}")
        for name in ("struggles", "emergency_contact", "extras", "weight")
    ]


@isolate_apps("mentorhaven.kernel")
def test_keys_timestamps_enums_and_flags_need_no_declaration():
    class Venue(models.Model):  # noqa: DJ008
        public_id = models.UUIDField()
        parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
        opens_on = models.DateField()
        created_at = models.DateTimeField()
        kind = models.CharField(max_length=5, choices=[("big", "Big"), ("small", "Small")])
        open = models.BooleanField(default=True)

        class Meta:
            app_label = "kernel"

    assert inventory_errors([Venue], registry={}, exempt={}) == []


@isolate_apps("mentorhaven.kernel")
def test_a_declared_or_exempted_column_passes_the_allow_list():
    from mentorhaven.kernel.fields import EncryptedTextField

    class Goalish(models.Model):  # noqa: DJ008
        public_id = models.UUIDField(default=__import__("uuid").uuid4)
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        struggles = EncryptedTextField(subject_field="owner")
        weight = models.FloatField(default=0)

        class Meta:
            app_label = "kernel"

    registry = _declaration(
        "kernel.Goalish",
        _field("owner", subject=True),
        _field("struggles", free_text=True, erasure=Erasure.SHRED),
    )
    exempt = {"kernel.goalish.weight": "a ranking weight set by organizers"}
    assert inventory_errors([Goalish], registry=registry, exempt=exempt) == []
    assert _ids(inventory_errors([Goalish], registry=registry, exempt={})) == ["mentorhaven.E009"]


@isolate_apps("mentorhaven.kernel")
@pytest.mark.parametrize(
    "declared",
    [
        {"free_text": True},
        {"erasure": Erasure.SHRED},
        {"free_text": True, "erasure": Erasure.SHRED},
    ],
)
def test_free_text_or_shredded_data_stored_in_clear_is_reported(declared):
    class Noteish(models.Model):  # noqa: DJ008
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        emergency_contact = models.CharField(max_length=100)

        class Meta:
            app_label = "kernel"

    registry = _declaration(
        "kernel.Noteish", _field("owner", subject=True), _field("emergency_contact", **declared)
    )
    errors = inventory_errors([Noteish], registry=registry, exempt={})
    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [
        ("mentorhaven.E010", "kernel.Noteish.emergency_contact")
    ]


@isolate_apps("mentorhaven.kernel")
def test_free_text_in_an_encrypted_field_passes():
    from mentorhaven.kernel.fields import EncryptedTextField

    class Noteish(models.Model):  # noqa: DJ008
        public_id = models.UUIDField(default=__import__("uuid").uuid4)
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        emergency_contact = EncryptedTextField(subject_field="owner")

        class Meta:
            app_label = "kernel"

    registry = _declaration(
        "kernel.Noteish",
        _field("owner", subject=True),
        _field("emergency_contact", free_text=True, erasure=Erasure.SHRED),
    )
    assert inventory_errors([Noteish], registry=registry, exempt={}) == []


@isolate_apps("mentorhaven.kernel")
def test_a_declaration_naming_no_column_is_reported():
    class Parent(models.Model):  # noqa: DJ008
        owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "kernel"

    class Child(models.Model):  # noqa: DJ008
        parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="children")

        class Meta:
            app_label = "kernel"

    registry = _declaration(
        "kernel.Parent",
        _field("owner", subject=True),
        _field("children"),  # a reverse relation, not a column of Parent
        _field("nickname"),  # nothing at all
    )
    known = {"kernel.parent": Parent, "kernel.child": Child}
    errors = invalid_declarations(registry, {}, known)
    assert sorted((e.id, e.msg.split(" ")[3]) for e in errors) == [
        ("mentorhaven.E004", "kernel.Parent.children,"),
        ("mentorhaven.E004", "kernel.Parent.nickname,"),
    ]


def test_an_exemption_without_a_reason_is_reported():
    errors = inventory_errors([], registry={}, exempt={"programs.program.slug": "  "})
    assert _ids(errors) == ["mentorhaven.E008"]


def test_a_declaration_without_plain_language_names_is_reported():
    registry = _declaration("accounts.ApiToken", _field("user", subject=True, label=""), record="")
    assert _ids(inventory_errors([], registry=registry, exempt={})) == ["mentorhaven.E011"] * 2


def test_the_real_inventory_marks_every_encrypted_field_as_shredded():
    from django.apps import apps

    from mentorhaven.kernel.fields import EncryptedField

    for model in apps.get_models():
        declaration = inventory.declaration_for(model)
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedField):
                declared = declaration.fields[field.name]
                assert declared.erasure == Erasure.SHRED, f"{model._meta.label}.{field.name}"


@pytest.mark.parametrize(
    "app_label", ["account", "mfa", "usersessions", "sessions", "django_tasks_database", "auth"]
)
def test_third_party_models_are_held_to_the_allow_list_too(app_label):
    from django.apps import apps

    models_of_app = list(apps.get_app_config(app_label).get_models())
    assert inventory_errors(models_of_app) == []
    bare = inventory_errors(models_of_app, registry={}, exempt={})
    assert bare, f"{app_label} would pass without its declarations and exemptions"


def test_a_new_plaintext_column_on_a_real_model_fails_start_up(monkeypatch):
    from mentorhaven.mentoring.models import Goal

    struggles = models.TextField(blank=True)
    struggles.set_attributes_from_name("struggles")
    struggles.model = Goal
    real_fields = Goal._meta._get_fields

    def with_struggles(*args, **kwargs):
        return (*real_fields(*args, **kwargs), struggles)

    monkeypatch.setattr(Goal._meta, "_get_fields", with_struggles)
    Goal._meta._expire_cache()
    try:
        with pytest.raises(SystemCheckError, match=r"mentoring\.Goal\.struggles is a column"):
            call_command("check", "--tag", "mentorhaven")
    finally:
        monkeypatch.undo()
        Goal._meta._expire_cache()
