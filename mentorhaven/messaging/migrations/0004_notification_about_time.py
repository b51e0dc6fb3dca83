"""A notice about a meeting carries the meeting's start, shown in the reader's time zone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_notification_kinds_and_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_time",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
