from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_invitation_display_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="api_token_max_days",
            field=models.PositiveSmallIntegerField(
                default=90,
                help_text="The longest life of a new API token of a member, in days.",
                validators=[MinValueValidator(1), MaxValueValidator(365)],
            ),
        ),
    ]
