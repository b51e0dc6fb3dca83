# Goal and milestone titles and meeting places become ciphertext under their author's key, and
# every encrypted value of the app is bound to what decides who may read it (kernel/fields.py).
#
# Each plaintext column is converted in place: an encrypted column is added, existing values are
# encrypted into it through the vault (bound to the column's final name), the plaintext column is
# dropped and the new one takes its name. Values already encrypted are re-encrypted under their
# new binding. Both directions are implemented.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import mentorhaven.kernel.fields
from mentorhaven.kernel.reencrypt import check_constraints_now, decrypt_column, encrypt_column, rebind_column


def milestone_owner_from_goal(apps, schema_editor):
    Goal = apps.get_model("mentoring", "Goal")
    Milestone = apps.get_model("mentoring", "Milestone")
    Milestone.objects.update(
        owner_id=Subquery(Goal.objects.filter(pk=OuterRef("goal_id")).values("owner_id")[:1])
    )
    check_constraints_now(schema_editor)


def encrypted(**kwargs):
    return mentorhaven.kernel.fields.EncryptedTextField(**kwargs)


CONVERSIONS = [
    # (model, plaintext field, subject, bound attributes, the plaintext field made nullable)
    ("goal", "title", "owner", ("relationship",), models.CharField(max_length=200, null=True)),
    ("milestone", "title", "owner", ("goal",), models.CharField(max_length=200, null=True)),
    (
        "meeting",
        "location",
        "proposed_by",
        ("relationship",),
        models.CharField(max_length=500, blank=True, null=True),
    ),
]
REBINDINGS = [
    # (model, encrypted field, subject, bound attributes from now on)
    ("goal", "description", "owner", ("relationship",)),
    ("goalupdate", "body", "owner", ("goal",)),
    ("note", "body", "author", ("relationship", "shared")),
    ("meeting", "agenda", "proposed_by", ("relationship",)),
    ("feedback", "comment", "author", ("meeting",)),
]


def _conversion(model, name, subject, bind, nullable):
    options = {"source": name, "target": f"{name}_sealed", "column": name, "subject": subject}
    return [
        migrations.AddField(
            model_name=model,
            name=f"{name}_sealed",
            field=encrypted(subject_field=subject, bind=list(bind), null=True, blank=True),
        ),
        # Nullable first, so that going back can add it again before refilling it.
        migrations.AlterField(model_name=model, name=name, field=nullable),
        migrations.RunPython(
            encrypt_column("mentoring", model, bind=bind, **options),
            decrypt_column("mentoring", model, bind=bind, **options),
        ),
        migrations.RemoveField(model_name=model, name=name),
        migrations.RenameField(model_name=model, old_name=f"{name}_sealed", new_name=name),
    ]


def _rebinding(model, name, subject, bind):
    return [
        migrations.RunPython(
            rebind_column("mentoring", model, field=name, subject=subject, new_bind=bind),
            rebind_column("mentoring", model, field=name, subject=subject, old_bind=bind),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0002_goals_meetings_notes_feedback"),
        ("kernel", "0007_vault_wrap_purposes_and_integrity_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A milestone gets its author (the goal's owner), whose key will encrypt its title.
        migrations.AddField(
            model_name="milestone",
            name="owner",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(milestone_owner_from_goal, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="milestone",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        *[op for conversion in CONVERSIONS for op in _conversion(*conversion)],
        migrations.AlterField(
            model_name="goal",
            name="title",
            field=encrypted(subject_field="owner", bind=["relationship"]),
        ),
        migrations.AlterField(
            model_name="milestone",
            name="title",
            field=encrypted(subject_field="owner", bind=["goal"]),
        ),
        migrations.AlterField(
            model_name="goal",
            name="description",
            field=encrypted(subject_field="owner", bind=["relationship"], null=True, blank=True),
        ),
        migrations.AlterField(
            model_name="goalupdate",
            name="body",
            field=encrypted(subject_field="owner", bind=["goal"]),
        ),
        migrations.AlterField(
            model_name="note",
            name="body",
            field=encrypted(subject_field="author", bind=["relationship", "shared"]),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="agenda",
            field=encrypted(
                subject_field="proposed_by", bind=["relationship"], null=True, blank=True
            ),
        ),
        migrations.AlterField(
            model_name="feedback",
            name="comment",
            field=encrypted(subject_field="author", bind=["meeting"], null=True, blank=True),
        ),
        *[op for rebinding in REBINDINGS for op in _rebinding(*rebinding)],
    ]
