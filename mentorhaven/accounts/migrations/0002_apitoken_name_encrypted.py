# The label a person types for an API token is encrypted under their key, like everything else a
# person writes. Existing labels are encrypted in place (add an encrypted column, encrypt through
# the vault under the final column name, drop the plaintext column, rename); both directions work.

from django.db import migrations, models

import mentorhaven.kernel.fields
from mentorhaven.kernel.reencrypt import decrypt_column, encrypt_column

OPTIONS = {"source": "name", "target": "name_sealed", "column": "name", "subject": "user"}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("kernel", "0007_vault_wrap_purposes_and_integrity_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="name_sealed",
            field=mentorhaven.kernel.fields.EncryptedTextField(subject_field="user", null=True),
        ),
        # Nullable first, so that going back can add it again before refilling it.
        migrations.AlterField(
            model_name="apitoken", name="name", field=models.CharField(max_length=100, null=True)
        ),
        migrations.RunPython(
            encrypt_column("accounts", "apitoken", **OPTIONS),
            decrypt_column("accounts", "apitoken", **OPTIONS),
        ),
        migrations.RemoveField(model_name="apitoken", name="name"),
        migrations.RenameField(model_name="apitoken", old_name="name_sealed", new_name="name"),
        migrations.AlterField(
            model_name="apitoken",
            name="name",
            field=mentorhaven.kernel.fields.EncryptedTextField(subject_field="user"),
        ),
    ]
