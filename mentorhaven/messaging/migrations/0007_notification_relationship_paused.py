"""A notice kind for a relationship paused or resumed by the program's team."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0006_event_notification_kinds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("invitation", "Invitation to a program"),
                    ("questionnaire_reminder", "Questionnaire reminder"),
                    ("match_published", "New match"),
                    ("request_received", "Mentor request received"),
                    ("request_accepted", "Mentor request accepted"),
                    ("request_declined", "Mentor request declined or lapsed"),
                    ("request_lapsing", "Mentor request about to lapse"),
                    ("relationship_started", "Relationship started"),
                    ("relationship_ending", "Relationship ending or quiet"),
                    ("relationship_ended", "Relationship ended"),
                    ("relationship_paused", "Relationship paused or resumed"),
                    ("meeting_proposed", "Meeting proposed"),
                    ("meeting_accepted", "Meeting accepted or cancelled"),
                    ("meeting_reminder", "Meeting reminder"),
                    ("message", "New message"),
                    ("report", "New safety report"),
                    ("report_outcome", "Outcome of your safety report"),
                    ("safety_warning", "Warning from a program's team"),
                    ("waitlist", "A mentor has a free seat"),
                    ("event_reminder", "Program event reminder"),
                    ("event_update", "Place at a program event, or event cancelled"),
                ],
                max_length=32,
            ),
        ),
    ]
