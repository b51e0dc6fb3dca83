# A file's name and content are bound to its relationship (kernel/fields.py, files/models.py):
# moved to another relationship in SQL, the file becomes unreadable instead of reachable by the
# people there. Existing names are re-encrypted and existing contents re-sealed, streaming, under
# the new binding; the old sealed blobs are deleted once the migration has committed.

from django.db import migrations, models, transaction

import mentorhaven.kernel.fields
from mentorhaven.kernel.reencrypt import rebind_column, reseal_blob

NO_ACCESS: tuple[str, ...] = ()
BY_RELATIONSHIP = ("relationship",)


def _reseal(apps, old_bind, new_bind):
    from mentorhaven.kernel.fields import make_binding
    from mentorhaven.kernel.storage import EncryptedFileStore

    StoredFile = apps.get_model("files", "StoredFile")
    store = EncryptedFileStore()
    replaced = []
    rows = StoredFile.objects.order_by("pk").values_list(
        "pk", "public_id", "uploader_id", "relationship_id", "storage_name"
    )
    for pk, public_id, uploader_id, relationship_id, name in rows.iterator(chunk_size=200):
        values = {(): (), BY_RELATIONSHIP: (relationship_id,)}
        old = make_binding(
            "files_storedfile", "content", public_id, uploader_id, old_bind, values[old_bind]
        )
        new = make_binding(
            "files_storedfile", "content", public_id, uploader_id, new_bind, values[new_bind]
        )
        new_name = reseal_blob(store, subject=uploader_id, name=name, old=old, new=new)
        if new_name is None:
            continue
        StoredFile.objects.filter(pk=pk).update(storage_name=new_name)
        replaced.append(name)
    transaction.on_commit(lambda: [store.delete(name) for name in replaced])


def reseal_under_relationship(apps, schema_editor):
    _reseal(apps, NO_ACCESS, BY_RELATIONSHIP)


def reseal_without_relationship(apps, schema_editor):
    _reseal(apps, BY_RELATIONSHIP, NO_ACCESS)


class Migration(migrations.Migration):
    dependencies = [
        ("files", "0001_files_and_share_links"),
        ("kernel", "0007_vault_wrap_purposes_and_integrity_notices"),
    ]

    operations = [
        migrations.AlterField(
            model_name="storedfile",
            name="filename",
            field=mentorhaven.kernel.fields.EncryptedTextField(
                subject_field="uploader", bind=["relationship"]
            ),
        ),
        migrations.RunPython(
            rebind_column("files", "storedfile", field="filename", subject="uploader", new_bind=BY_RELATIONSHIP),
            rebind_column("files", "storedfile", field="filename", subject="uploader", old_bind=BY_RELATIONSHIP),
        ),
        migrations.RunPython(reseal_under_relationship, reseal_without_relationship),
        migrations.AlterField(
            model_name="sharelinkaccess",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("opened", "Link page opened"),
                    ("downloaded", "File downloaded"),
                    ("not_counted", "Probe without content (HEAD, range or prefetch)"),
                    ("wrong_password", "Wrong password"),
                    ("throttled", "Refused: too many wrong passwords"),
                    ("password_needed", "Refused: password required"),
                    ("expired", "Refused: link expired"),
                    ("revoked", "Refused: link revoked"),
                    ("unreadable", "Refused: the stored file failed its integrity check"),
                    ("limit_reached", "Refused: download limit reached"),
                    ("erased", "Refused: file erased"),
                ],
                max_length=16,
            ),
        ),
    ]
