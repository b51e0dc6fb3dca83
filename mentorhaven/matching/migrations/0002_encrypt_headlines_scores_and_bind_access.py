# Profile headlines become ciphertext under their author's key; the scores and reasons of draft
# pairs and of match explanations (derived from encrypted answers) become ciphertext under the
# mentee's key; every encrypted value of the app is bound to what decides who may read it.
#
# Plaintext columns are converted in place (add an encrypted column, encrypt existing values into
# it through the vault under the column's final name, drop the plaintext one, rename). Values
# already encrypted are re-encrypted under their new binding. Both directions are implemented.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import mentorhaven.kernel.fields
from mentorhaven.kernel.reencrypt import check_constraints_now, decrypt_column, encrypt_column, rebind_column


def explanation_mentee_from_relationship(apps, schema_editor):
    Relationship = apps.get_model("mentoring", "Relationship")
    MatchExplanation = apps.get_model("matching", "MatchExplanation")
    MatchExplanation.objects.update(
        mentee_id=Subquery(
            Relationship.objects.filter(pk=OuterRef("relationship_id")).values("mentee_id")[:1]
        )
    )
    check_constraints_now(schema_editor)


def explanation_public_ids(apps, schema_editor):
    MatchExplanation = apps.get_model("matching", "MatchExplanation")
    for pk in MatchExplanation.objects.values_list("pk", flat=True).iterator():
        MatchExplanation.objects.filter(pk=pk).update(public_id=uuid.uuid4())
    check_constraints_now(schema_editor)


def text(**kwargs):
    return mentorhaven.kernel.fields.EncryptedTextField(**kwargs)


def json(**kwargs):
    return mentorhaven.kernel.fields.EncryptedJSONField(**kwargs)


CONVERSIONS = [
    # (model, plaintext field, subject, bound attributes, kind, encrypted field, when unreadable)
    ("profile", "headline", "user", ("program",), "text", text, ""),
    ("matchpair", "score", "mentee", ("run", "mentor"), "json", json, None),
    ("matchpair", "factors", "mentee", ("run", "mentor"), "json", json, []),
    ("matchexplanation", "score", "mentee", ("relationship",), "json", json, None),
    ("matchexplanation", "factors", "mentee", ("relationship",), "json", json, []),
]


def _conversion(model, name, subject, bind, kind, field, erased):
    options = {"source": name, "target": f"{name}_sealed", "column": name, "subject": subject}
    return [
        migrations.AddField(
            model_name=model,
            name=f"{name}_sealed",
            field=field(subject_field=subject, bind=list(bind), null=True, blank=True),
        ),
        migrations.RunPython(
            encrypt_column("matching", model, bind=bind, kind=kind, **options),
            decrypt_column("matching", model, bind=bind, kind=kind, erased=erased, **options),
        ),
        migrations.RemoveField(model_name=model, name=name),
        migrations.RenameField(model_name=model, old_name=f"{name}_sealed", new_name=name),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_profiles_questions_runs"),
        ("mentoring", "0003_encrypt_titles_places_and_bind_access"),
        ("kernel", "0007_vault_wrap_purposes_and_integrity_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # An explanation gets a public id (the row its ciphertext is bound to)...
        migrations.AddField(
            model_name="matchexplanation",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(explanation_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="matchexplanation",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        # ...and names its mentee, whose key will encrypt it.
        migrations.AddField(
            model_name="matchexplanation",
            name="mentee",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(explanation_mentee_from_relationship, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="matchexplanation",
            name="mentee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        *[op for conversion in CONVERSIONS for op in _conversion(*conversion)],
        migrations.AlterField(
            model_name="matchpair",
            name="score",
            field=json(subject_field="mentee", bind=["run", "mentor"], null=True),
        ),
        migrations.AlterField(
            model_name="matchpair",
            name="factors",
            field=json(subject_field="mentee", bind=["run", "mentor"], null=True),
        ),
        migrations.AlterField(
            model_name="matchexplanation",
            name="score",
            field=json(subject_field="mentee", bind=["relationship"], null=True),
        ),
        migrations.AlterField(
            model_name="matchexplanation",
            name="factors",
            field=json(subject_field="mentee", bind=["relationship"], null=True),
        ),
        migrations.AlterField(
            model_name="profile",
            name="goals",
            field=text(subject_field="user", bind=["program"], null=True, blank=True),
        ),
        migrations.AlterField(
            model_name="answer",
            name="value",
            field=json(subject_field="user", bind=["profile", "question"]),
        ),
        migrations.RunPython(
            rebind_column("matching", "profile", field="goals", subject="user", new_bind=("program",)),
            rebind_column("matching", "profile", field="goals", subject="user", old_bind=("program",)),
        ),
        migrations.RunPython(
            rebind_column(
                "matching", "answer", field="value", subject="user", new_bind=("profile", "question")
            ),
            rebind_column(
                "matching", "answer", field="value", subject="user", old_bind=("profile", "question")
            ),
        ),
    ]
