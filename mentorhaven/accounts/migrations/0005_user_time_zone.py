"""Each person gets a time zone. Existing people get the deployment's default zone
(``MENTORHAVEN_DEFAULT_TIME_ZONE``, UTC when unset) until they choose their own."""

from django.db import migrations, models

import mentorhaven.accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_mfa_secrets_in_vault"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(
                default=mentorhaven.accounts.models.default_time_zone, max_length=64
            ),
        ),
    ]
