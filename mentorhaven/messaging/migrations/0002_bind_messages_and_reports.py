# A message is bound to its conversation, a report's note and evidence to its program
# (kernel/fields.py): moved elsewhere in SQL, they become unreadable instead of readable by the
# people there. Existing values are re-encrypted under the new binding; both directions work.

from django.db import migrations

import mentorhaven.kernel.fields
from mentorhaven.kernel.reencrypt import rebind_column

REBINDINGS = [
    # (model, encrypted field, subject, bound attributes from now on)
    ("message", "body", "author", ("conversation",)),
    ("report", "note", "reporter", ("program",)),
    ("report", "evidence", "reported_user", ("program",)),
]


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_conversations_messages_safety"),
        ("kernel", "0007_vault_wrap_purposes_and_integrity_notices"),
    ]

    operations = [
        *[
            migrations.AlterField(
                model_name=model,
                name=name,
                field=mentorhaven.kernel.fields.EncryptedTextField(
                    subject_field=subject, bind=list(bind), null=True, blank=True
                ),
            )
            for model, name, subject, bind in REBINDINGS
        ],
        *[
            migrations.RunPython(
                rebind_column("messaging", model, field=name, subject=subject, new_bind=bind),
                rebind_column("messaging", model, field=name, subject=subject, old_bind=bind),
            )
            for model, name, subject, bind in REBINDINGS
        ],
    ]
