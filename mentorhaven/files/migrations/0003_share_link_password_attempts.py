from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("files", "0002_bind_files_to_their_relationship"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharelink",
            name="password_failures",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="sharelink",
            name="password_window_started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
