"""Every page that shows what a mentee wrote or what is derived from her answers is behind the
mentor security training: a walk as Nia, a mentor who has not passed it, through the relationship
pages, its conversation, a group conversation of a group program, the proposal waiting for her
answer and the reasons of a match. Each page refuses her (404) or shows none of the mentee's
words; once she passes the training the same walk finds them — so the walk can fail."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from mentorhaven.gates import domain
from mentorhaven.gates.services import training_submit
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.matching.models import MatchExplanation
from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.models import Conversation
from mentorhaven.messaging.services import group_conversation_create, message_send
from mentorhaven.programs.models import Membership, Program
from tests.factories import RelationshipFactory
from tests.gates.conftest import CANARY

RIGHT = {q.key: q.correct for q in domain.QUIZ}


@dataclass
class Walk:
    group: Conversation
    proposal: Relationship


@pytest.fixture
def walk(personas, new_mentor) -> Walk:
    """Beside Nia's relationship with Cara: a group conversation where Cara wrote, a proposal of
    Dev to Nia, and the reasons of both matches — each holding the canary."""
    p, nia = personas, new_mentor.nia
    groups = Program.objects.create(
        organization=p.org, name="Circles", slug="circles", kind=Program.Kind.GROUP
    )
    for user, role in ((nia, "mentor"), (p.cara, "mentee")):
        Membership.objects.create(program=groups, user=user, role=role)
    group = group_conversation_create(
        actor=p.org_admin, program=groups, title="Circle one", members=[nia, p.cara]
    )
    message_send(actor=p.cara, conversation=group, body=f"Group message {CANARY}")
    proposal = RelationshipFactory(
        program=p.program,
        mentee=p.dev,
        mentor=nia,
        status=Relationship.Status.PROPOSED,
        mentee_accepted_at=None,
        mentor_accepted_at=None,
        started_at=None,
        mentor_trained=False,
    )
    for relationship in (proposal, new_mentor.relationship):
        MatchExplanation.objects.create(
            relationship=relationship,
            mentee=relationship.mentee,
            factors=[{"code": "goals", "text": f"You both wrote about {CANARY}"}],
        )
    return Walk(group=group, proposal=proposal)


def _content_pages(new_mentor, walk) -> dict[str, str]:
    """Pages whose whole point is the mentee's writing: an untrained mentor gets 404."""
    relationship = new_mentor.relationship.public_id
    group = walk.group.public_id
    return {
        "relationship files": reverse(
            "relationship_files", kwargs={"relationship_id": relationship}
        ),
        "file content": reverse("file_content", kwargs={"file_id": new_mentor.file.public_id}),
        "relationship conversation": reverse(
            "messaging:open", kwargs={"relationship_id": relationship}
        ),
        "relationship messages (API)": f"/api/v1/relationships/{relationship}/messages",
        "group conversation": reverse("messaging:conversation", kwargs={"conversation_id": group}),
        "group history": reverse("messaging:history", kwargs={"conversation_id": group}),
        "group poll": reverse("messaging:poll", kwargs={"conversation_id": group}) + "?after=0",
        "group search": reverse("messaging:search", kwargs={"conversation_id": group})
        + f"?q={CANARY}",
        "match reasons": reverse("matching_why", kwargs={"relationship_id": relationship}),
    }


def _pages_she_keeps(personas, new_mentor, walk) -> dict[str, str]:
    """Pages a mentor uses before training too (to accept, to find her way): they answer, with
    no word of the mentee's in them."""
    return {
        "relationship": reverse(
            "relationship_detail", kwargs={"relationship_id": new_mentor.relationship.public_id}
        ),
        "proposal": reverse(
            "relationship_detail", kwargs={"relationship_id": walk.proposal.public_id}
        ),
        "requests waiting for her": reverse(
            "matching_requests", kwargs={"program_id": personas.program.public_id}
        ),
        "inbox": reverse("messaging:inbox"),
        "dashboard": reverse("dashboard"),
    }


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_an_untrained_mentor_walks_every_mentee_page_and_reads_nothing(
    client, login, personas, new_mentor, walk
):
    login(new_mentor.nia)
    for name, url in _content_pages(new_mentor, walk).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert CANARY not in _body(response), name
    for name, url in _pages_she_keeps(personas, new_mentor, walk).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert CANARY not in _body(response), name
    requests_page = client.get(
        reverse("matching_requests", kwargs={"program_id": personas.program.public_id})
    )
    assert "security training" in requests_page.content.decode()
    # Nothing was shown, so nothing is on the mentees' access logs as read by her.
    assert not AuditEvent.objects.filter(action="matching.explanation_read").exists()


def test_the_same_walk_after_the_training_finds_the_mentees_words(
    client, login, personas, new_mentor, walk
):
    training_submit(actor=new_mentor.nia, answers=RIGHT)
    login(new_mentor.nia)
    pages = {
        **_content_pages(new_mentor, walk),
        "requests waiting for her": reverse(
            "matching_requests", kwargs={"program_id": personas.program.public_id}
        ),
    }
    seen = {}
    for name, url in pages.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        if name != "relationship files":  # the list names the file, whose content holds it
            seen[name] = CANARY in _body(response)
    assert all(seen.values()), seen
    assert AuditEvent.objects.filter(action="matching.explanation_read").exists()


def test_the_mentee_herself_reads_the_group_and_the_reasons_whatever_her_mentor_did(
    client, login, personas, new_mentor, walk
):
    login(personas.cara)
    group = reverse("messaging:conversation", kwargs={"conversation_id": walk.group.public_id})
    why = reverse("matching_why", kwargs={"relationship_id": new_mentor.relationship.public_id})
    assert CANARY in client.get(group).content.decode()
    assert CANARY in client.get(why).content.decode()


def test_a_group_member_who_is_not_a_mentor_there_needs_no_training(personas, new_mentor, walk):
    # Dev joins the circle as a mentee: he has no training record, and needs none.
    from mentorhaven.gates.models import TrainingCompletion
    from mentorhaven.messaging.access import visible_conversations
    from mentorhaven.messaging.models import ConversationMember

    TrainingCompletion.objects.filter(user=personas.dev).delete()
    Membership.objects.create(program=walk.group.program, user=personas.dev, role="mentee")
    ConversationMember.objects.create(conversation=walk.group, user=personas.dev)
    assert visible_conversations(personas.dev).filter(pk=walk.group.pk).exists()
    assert not visible_conversations(new_mentor.nia).filter(pk=walk.group.pk).exists()
