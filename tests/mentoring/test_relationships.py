import pytest

from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.access import access_relationship, access_relationship_content
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import (
    relationship_accept,
    relationship_decline,
    relationship_end,
    relationship_propose,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(personas):
    return relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.cara,
        mentor=personas.ana,
    )


@pytest.fixture
def active(personas, proposed):
    relationship_accept(actor=personas.cara, relationship=proposed)
    return relationship_accept(actor=personas.ana, relationship=proposed)


def test_relationship_starts_only_when_both_accept_the_agreement(personas, proposed):
    after_one = relationship_accept(actor=personas.cara, relationship=proposed)
    assert after_one.status == Relationship.Status.PROPOSED
    after_both = relationship_accept(actor=personas.ana, relationship=proposed)
    assert after_both.status == Relationship.Status.ACTIVE
    assert after_both.started_at is not None
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("relationship.accept") == 2
    assert "relationship.propose" in actions


def test_mentor_may_not_propose_pairs(personas):
    with pytest.raises(PermissionDenied):
        relationship_propose(
            actor=personas.ana,
            program=personas.program,
            mentee=personas.cara,
            mentor=personas.ana,
        )


def test_outsider_cannot_be_paired_into_demo_program(personas):
    from mentorhaven.kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        relationship_propose(
            actor=personas.coordinator,
            program=personas.program,
            mentee=personas.outsider,
            mentor=personas.ana,
        )


def test_duplicate_open_relationship_is_refused(personas, proposed):
    with pytest.raises(Conflict):
        relationship_propose(
            actor=personas.coordinator,
            program=personas.program,
            mentee=personas.cara,
            mentor=personas.ana,
        )


def test_mentor_reaches_the_inside_only_while_active(personas, proposed):
    with pytest.raises(NotFound):
        access_relationship_content(personas.ana, proposed.public_id)
    relationship_accept(actor=personas.cara, relationship=proposed)
    relationship_accept(actor=personas.ana, relationship=proposed)
    assert access_relationship_content(personas.ana, proposed.public_id) == proposed
    relationship_end(actor=personas.cara, relationship=proposed, reason="not_a_fit")
    with pytest.raises(NotFound):
        access_relationship_content(personas.ana, proposed.public_id)


def test_mentor_loses_content_access_when_relationship_ends(personas, active):
    assert access_relationship_content(personas.ana, active.public_id) == active
    relationship_end(
        actor=personas.coordinator, relationship=active, reason="program_ended", completed=True
    )
    with pytest.raises(NotFound):
        access_relationship_content(personas.ana, active.public_id)
    # The mentee keeps their own history.
    assert access_relationship_content(personas.cara, active.public_id).status == "completed"


def test_other_mentor_and_outsider_get_not_found(personas, active):
    for viewer in (personas.ben, personas.dev, personas.outsider):
        with pytest.raises(NotFound):
            access_relationship(viewer, active.public_id)
        with pytest.raises(NotFound):
            access_relationship_content(viewer, active.public_id)


def test_program_admin_sees_metadata_but_never_content(personas, active):
    assert access_relationship(personas.coordinator, active.public_id) == active
    with pytest.raises(NotFound):
        access_relationship_content(personas.coordinator, active.public_id)


def test_only_participants_and_admins_may_act(personas, proposed):
    with pytest.raises(PermissionDenied):
        access_relationship(personas.auditor, proposed.public_id, write=True)
    with pytest.raises(PermissionDenied):
        relationship_decline(actor=personas.coordinator, relationship=proposed)
    declined = relationship_decline(actor=personas.ana, relationship=proposed)
    assert declined.status == Relationship.Status.DECLINED


def test_ending_needs_a_known_reason(personas, active):
    from mentorhaven.kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        relationship_end(actor=personas.cara, relationship=active, reason="because")


def test_malformed_id_is_not_found(personas):
    with pytest.raises(NotFound):
        access_relationship(personas.cara, "not-a-uuid")
