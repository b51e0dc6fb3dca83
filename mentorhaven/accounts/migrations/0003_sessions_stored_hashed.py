"""Session keys are now stored only as keyed hashes (accounts/sessions.py).

Rows written before hold the key itself, a live credential: they are deleted, together with
allauth's records of them, so everyone signed in before this migration is signed out cleanly
(their next request finds no session and goes to the sign-in page). A stored hash is exactly 40
hex characters; a key Django issued is 32 letters and digits, so rows written by the new store
(during a rolling deploy) are kept.
"""

from django.db import migrations

STORED = r"^[0-9a-f]{40}$"


def delete_clear_keys(apps, schema_editor):
    for model in (apps.get_model("sessions", "Session"), apps.get_model("usersessions", "UserSession")):
        model.objects.exclude(session_key__regex=STORED).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_apitoken_name_encrypted"),
        ("sessions", "0001_initial"),
        ("usersessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(delete_clear_keys, migrations.RunPython.noop)]
