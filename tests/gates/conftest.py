"""A new mentor, Nia, who has not passed the security training yet, in an active relationship
with Cara (a persona) full of Cara's writing: a goal, a shared note, a message, a file."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.files.services import file_upload
from mentorhaven.mentoring.models import Goal, Note, Relationship
from mentorhaven.mentoring.services import goal_create, note_create
from mentorhaven.messaging.models import Message
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.programs.models import Membership, OrgMembership
from tests.conftest import PASSWORD
from tests.factories import RelationshipFactory

CANARY = "cara-private-canary-7731"


@dataclass
class NewMentor:
    nia: User
    totp: str
    relationship: Relationship
    goal: Goal
    note: Note
    message: Message
    file: object


@pytest.fixture
def new_mentor(personas) -> NewMentor:
    nia = User.objects.create_user(
        email="nia.mentor@demo.test", password=PASSWORD, display_name="Nia Newmentor"
    )
    OrgMembership.objects.create(organization=personas.org, user=nia)
    Membership.objects.create(program=personas.program, user=nia, role=Membership.Role.MENTOR)
    totp = mfa_enroll_totp(user=nia)
    personas.totp_secrets[nia.email] = totp
    relationship = RelationshipFactory(
        program=personas.program, mentee=personas.cara, mentor=nia, mentor_trained=False
    )
    cara = personas.cara
    goal = goal_create(actor=cara, relationship=relationship, title=f"Goal {CANARY}")
    note = note_create(actor=cara, relationship=relationship, body=f"Note {CANARY}", shared=True)
    conversation = conversation_for_relationship(actor=cara, relationship=relationship)
    message = message_send(actor=cara, conversation=conversation, body=f"Message {CANARY}")
    stored = file_upload(
        actor=cara,
        relationship=relationship,
        fileobj=io.BytesIO(f"File {CANARY}".encode()),
        declared_name="plan.txt",
    )
    return NewMentor(nia, totp, relationship, goal, note, message, stored)
