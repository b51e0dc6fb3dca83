"""Break-glass: one admin alone reads nothing; a second, different admin's approval opens one
person or one relationship for at most a day; every read is audited with the grant; the person
is told, unless a legal exception is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.gates.access import access_grant_for_reading
from mentorhaven.gates.models import BreakGlassGrant
from mentorhaven.gates.selectors import content_under_grant
from mentorhaven.gates.services import (
    breakglass_approve,
    breakglass_reject,
    breakglass_request,
    breakglass_revoke,
)
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.services import goal_create
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.privacy.access_log import access_groups_for
from mentorhaven.programs.models import OrgMembership
from tests.factories import RelationshipFactory

WHY = "A safeguarding report says the mentee may be at risk; we must read the conversation."
CARA_SAYS, ANA_SAYS, DEV_SAYS = "cara-canary-1", "ana-canary-2", "dev-canary-3"


@pytest.fixture
def world(personas):
    """A second org admin (Ola); Cara ↔ Ana and Dev ↔ Ben relationships with messages."""
    from mentorhaven.accounts.models import User
    from tests.conftest import PASSWORD

    ola = User.objects.create_user(email="ola@demo.test", password=PASSWORD, display_name="Ola")
    OrgMembership.objects.create(organization=personas.org, user=ola)
    OrgMembership.objects.create(
        organization=personas.org, user=ola, role=OrgMembership.Role.ORG_ADMIN
    )
    personas.totp_secrets[ola.email] = mfa_enroll_totp(user=ola)
    p = personas
    cara_ana = RelationshipFactory(program=p.program, mentee=p.cara, mentor=p.ana)
    dev_ben = RelationshipFactory(program=p.program, mentee=p.dev, mentor=p.ben)
    for relationship, lines in (
        (cara_ana, [(p.cara, CARA_SAYS), (p.ana, ANA_SAYS)]),
        (dev_ben, [(p.dev, DEV_SAYS)]),
    ):
        conversation = conversation_for_relationship(
            actor=relationship.mentee, relationship=relationship
        )
        for author, text in lines:
            message_send(actor=author, conversation=conversation, body=f"{text} message")
    goal_create(actor=p.cara, relationship=cara_ana, title=f"{CARA_SAYS} goal")
    return {"ola": ola, "cara_ana": cara_ana, "dev_ben": dev_ben}


def _ask(personas, *, relationship=None, subject=None, hours=4, exception=""):
    return breakglass_request(
        actor=personas.org_admin,
        organization=personas.org,
        subject=subject or personas.cara,
        relationship=relationship,
        reason=BreakGlassGrant.Reason.SAFEGUARDING,
        justification=WHY,
        hours=hours,
        legal_exception_reason=exception,
    )


def _texts(content) -> str:
    return " ".join(
        [m.body for item in content for m in item.messages]
        + [g.title for item in content for g in item.goals]
    )


def test_one_admin_alone_cannot_read(personas, world):
    grant = _ask(personas, relationship=world["cara_ana"])
    with pytest.raises(NotFound):
        access_grant_for_reading(personas.org_admin, grant.public_id)
    with pytest.raises(PermissionDenied) as refused:
        breakglass_approve(actor=personas.org_admin, grant=grant)
    assert refused.value.status == 403 and "nobody approves their own" in refused.value.message
    with pytest.raises(NotFound):
        access_grant_for_reading(personas.org_admin, grant.public_id)


def test_the_database_refuses_a_self_approved_grant(personas, world):
    grant = _ask(personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakGlassGrant.objects.filter(pk=grant.pk).update(
            status="approved", approved_by=personas.org_admin
        )


def test_nobody_but_an_admin_of_the_organization_approves(personas, world):
    grant = _ask(personas)
    for person in (personas.coordinator, personas.auditor, personas.outsider, personas.ana):
        with pytest.raises(NotFound):
            breakglass_approve(actor=person, grant=grant)


def test_two_admins_open_one_relationship_and_nothing_else(personas, world):
    grant = _ask(personas, relationship=world["cara_ana"])
    breakglass_approve(actor=world["ola"], grant=grant)
    opened = access_grant_for_reading(personas.org_admin, grant.public_id)
    texts = _texts(content_under_grant(viewer=personas.org_admin, grant=opened))
    assert CARA_SAYS in texts and ANA_SAYS in texts
    assert DEV_SAYS not in texts
    # The approver does not read under a grant they approved: only the requester does.
    with pytest.raises(NotFound):
        access_grant_for_reading(world["ola"], grant.public_id)


def test_a_person_scope_opens_only_that_persons_writing(personas, world):
    grant = _ask(personas, subject=personas.cara)
    breakglass_approve(actor=world["ola"], grant=grant)
    opened = access_grant_for_reading(personas.org_admin, grant.public_id)
    texts = _texts(content_under_grant(viewer=personas.org_admin, grant=opened))
    assert CARA_SAYS in texts
    assert ANA_SAYS not in texts and DEV_SAYS not in texts


def test_an_expired_grant_denies_by_itself(personas, world):
    grant = _ask(personas, relationship=world["cara_ana"], hours=2)
    breakglass_approve(actor=world["ola"], grant=grant)
    grant.refresh_from_db()
    assert grant.expires_at - grant.decided_at == timedelta(hours=2)
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=59), tick=False):
        access_grant_for_reading(personas.org_admin, grant.public_id)
    with (
        time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1), tick=False),
        pytest.raises(NotFound),
    ):
        access_grant_for_reading(personas.org_admin, grant.public_id)


@pytest.mark.parametrize("hours", [0, 25, 100])
def test_no_grant_lasts_more_than_a_day(personas, world, hours):
    with pytest.raises(ValidationFailed):
        _ask(personas, hours=hours)


def test_a_revoked_or_rejected_grant_denies(personas, world):
    grant = _ask(personas, relationship=world["cara_ana"])
    breakglass_approve(actor=world["ola"], grant=grant)
    breakglass_revoke(actor=personas.org_admin, grant=grant)
    with pytest.raises(NotFound):
        access_grant_for_reading(personas.org_admin, grant.public_id)
    refused = _ask(personas)
    breakglass_reject(actor=world["ola"], grant=refused)
    with pytest.raises(NotFound):
        access_grant_for_reading(personas.org_admin, refused.public_id)
    with pytest.raises(Conflict):
        breakglass_approve(actor=world["ola"], grant=refused)
    assert AuditEvent.objects.filter(action="breakglass.revoke").count() == 1


def test_every_read_is_audited_with_the_grant(personas, world):
    grant = _ask(personas, relationship=world["cara_ana"])
    breakglass_approve(actor=world["ola"], grant=grant)
    opened = access_grant_for_reading(personas.org_admin, grant.public_id)
    content_under_grant(viewer=personas.org_admin, grant=opened)
    content_under_grant(viewer=personas.org_admin, grant=opened)
    for person in (personas.cara, personas.ana):
        reads = audit.events_about(person).filter(action="breakglass.read")
        assert reads.count() == 2
        expected = audit.target_pseudonym(person, grant)
        assert all(e.extra["grant"] == expected for e in reads)
        assert all(e.actor == audit.pseudonym(personas.org_admin) for e in reads)
    assert not audit.events_about(personas.dev).filter(action="breakglass.read").exists()


def test_the_people_in_scope_are_told_by_email_and_in_their_access_log(
    personas, world, mailoutbox, django_capture_on_commit_callbacks
):
    grant = _ask(personas, relationship=world["cara_ana"])
    with django_capture_on_commit_callbacks(execute=True):
        breakglass_approve(actor=world["ola"], grant=grant)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([personas.cara.email, personas.ana.email])
    for mail in mailoutbox:
        assert WHY not in mail.body and "Avery" not in mail.body  # no justification, no name
    content_under_grant(viewer=personas.org_admin, grant=grant)
    actions = {g["action"] for g in access_groups_for(viewer=personas.cara)}
    assert {"breakglass.approve", "breakglass.read"} <= actions


def test_a_recorded_legal_exception_withholds_the_notice_but_not_the_audit(
    personas, world, mailoutbox, django_capture_on_commit_callbacks
):
    grant = _ask(personas, subject=personas.cara, exception="Police request under section 29")
    grant.refresh_from_db()
    assert grant.legal_exception and grant.legal_exception_reason.startswith("Police")
    with django_capture_on_commit_callbacks(execute=True):
        breakglass_approve(actor=world["ola"], grant=grant)
    content_under_grant(viewer=personas.org_admin, grant=grant)
    assert mailoutbox == []
    shown = {g["action"] for g in access_groups_for(viewer=personas.cara)}
    assert not shown & {"breakglass.approve_withheld", "breakglass.read_withheld"}
    kept = set(audit.events_about(personas.cara).values_list("action", flat=True))
    assert {"breakglass.approve_withheld", "breakglass.read_withheld"} <= kept


def test_the_justification_is_encrypted_at_rest(personas, world):
    from django.db import connection

    grant = _ask(personas)
    with connection.cursor() as cursor:
        cursor.execute("SELECT justification FROM gates_breakglassgrant WHERE id = %s", [grant.pk])
        (raw,) = cursor.fetchone()
    assert WHY.encode() not in bytes(raw)


def test_the_pages_take_a_request_through_two_admins_to_a_read(client, personas, login, world):
    login(personas.org_admin)
    list_url = reverse("gates:breakglass_list", kwargs={"org_id": personas.org.public_id})
    assert client.get(list_url).status_code == 200
    response = client.post(
        list_url,
        {
            "subject": str(personas.cara.public_id),
            "relationship": str(world["cara_ana"].public_id),
            "reason": "safeguarding",
            "justification": WHY,
            "hours": "3",
        },
    )
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get()
    read_url = reverse("gates:breakglass_read", kwargs={"grant_id": grant.public_id})
    assert client.get(read_url).status_code == 404
    approve = reverse(
        "gates:breakglass_decide", kwargs={"grant_id": grant.public_id, "decision": "approve"}
    )
    refused = client.post(approve)  # not their own: the 403 page, with the reason
    assert refused.status_code == 403
    assert "nobody approves their own" in refused.content.decode()
    grant.refresh_from_db()
    assert grant.approved_by_id is None
    client.logout()
    login(world["ola"])
    assert client.post(approve).status_code == 302
    assert client.get(read_url).status_code == 404  # the approver does not read
    client.logout()
    login(personas.org_admin)
    page = client.get(read_url)
    assert page.status_code == 200
    assert CARA_SAYS in page.content.decode() and DEV_SAYS not in page.content.decode()


def test_other_people_reach_no_break_glass_page(client, personas, login, world):
    grant = _ask(personas)
    list_url = reverse("gates:breakglass_list", kwargs={"org_id": personas.org.public_id})
    detail = reverse("gates:breakglass_detail", kwargs={"grant_id": grant.public_id})
    for person in (personas.coordinator, personas.ana, personas.cara, personas.outsider):
        login(person)
        assert client.get(list_url).status_code == 404
        assert client.get(detail).status_code == 404
        client.logout()
