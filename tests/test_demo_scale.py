"""``mentorhaven demo --scale N``: the bulk-made program is valid data, not just rows: pages
render for a generated mentee, and what people "typed" decrypts under their own keys."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from mentorhaven.accounts.models import User
from mentorhaven.demo_scale import MESSAGES_PER_RELATIONSHIP, seed_scale
from mentorhaven.kernel import audit
from mentorhaven.matching.models import Answer, Profile
from mentorhaven.mentoring.models import Goal, Meeting, Note, Relationship
from mentorhaven.messaging.models import Conversation, Message

# The generator commits batch by batch outside any transaction (keys first, then content).
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_small_scale_program_is_complete_readable_and_renders(client):
    report = seed_scale(200, batch=64)
    assert report.participants == 200
    assert report.rows["users"] == 200 and report.rows["profiles"] == 200
    assert report.rows["answers"] == 600  # three questions each
    relationships = Relationship.objects.filter(program__slug=report.program)
    assert relationships.count() == report.rows["relationships"] > 100
    assert Message.objects.filter(conversation__program__slug=report.program).count() == (
        report.rows["relationships"] * MESSAGES_PER_RELATIONSHIP
    )

    # What people wrote decrypts (under the author's own data key, bound to its row).
    mentee = User.objects.get(email=report.mentee_email)
    relationship = relationships.filter(mentee=mentee).get()
    message = Message.objects.filter(conversation__relationship=relationship).first()
    assert message.body and isinstance(message.body, str)
    assert Goal.objects.filter(relationship=relationship).first().title
    assert Meeting.objects.filter(relationship=relationship).first().agenda
    assert Note.objects.filter(relationship=relationship).first().body
    assert Profile.objects.get(user=mentee).goals
    assert Answer.objects.filter(user=mentee).first().value is not None

    # The pages a mentee opens render with the generated content.
    client.force_login(mentee)
    assert client.get("/dashboard/").status_code == 200
    page = client.get(f"/relationships/{relationship.public_id}/")
    assert page.status_code == 200
    goal_title = Goal.objects.filter(relationship=relationship).first().title
    assert goal_title in page.content.decode()
    conversation = Conversation.objects.get(relationship=relationship)
    chat = client.get(f"/messages/c/{conversation.public_id}/")
    assert chat.status_code == 200
    assert message.body in chat.content.decode()
    # Reading them recorded audit events; the chain still verifies.
    assert audit.verify().ok


def test_the_command_prints_what_it_made(capsys):
    call_command("demo", scale=20)
    out = capsys.readouterr().out
    assert "20 participants" in out and "messages" in out


def test_too_small_a_program_is_refused():
    with pytest.raises(ValueError):
        seed_scale(3)
