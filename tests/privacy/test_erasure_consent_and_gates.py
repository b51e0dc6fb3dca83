"""After an erasure, nothing personal stays linked to the person in the consent and gates apps:
consent history, data requests, restrictions, roles, agreement acceptances and training records
are gone; a break-glass grant about her stays as the organization's evidence that emergency
access happened, closed, with no sentence about her left readable (docs/privacy.md, 2b)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings

from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.models import ConsentRecord, DataRequest, Restriction
from mentorhaven.consent.services import (
    consent_give,
    consent_withdraw,
    data_request_create,
    dpo_appoint,
    restriction_start,
)
from mentorhaven.gates.erasure import ERASED_JUSTIFICATION
from mentorhaven.gates.models import (
    AgreementAcceptance,
    BreakGlassGrant,
    TrainingCompletion,
)
from mentorhaven.gates.services import (
    agreement_accept,
    agreement_publish,
    breakglass_approve,
    breakglass_request,
)
from mentorhaven.kernel import audit
from mentorhaven.kernel.fields.values import is_unavailable
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.privacy.erasure import services as erasure
from mentorhaven.programs.models import OrgMembership
from tests.conftest import PASSWORD

WHY = "Cara Mentee told a coordinator she is afraid of her mentor; we must read the chat."
EXCEPTION = "Police request about Cara Mentee under section 29."

# The only links to an erased person these two apps keep, and why (docs/privacy.md, 2b).
KEPT = {("gates.BreakGlassGrant", "subject")}


@pytest.fixture
def ola(personas):
    from mentorhaven.accounts.models import User

    second = User.objects.create_user(email="ola@demo.test", password=PASSWORD, display_name="Ola")
    OrgMembership.objects.create(
        organization=personas.org, user=second, role=OrgMembership.Role.ORG_ADMIN
    )
    personas.totp_secrets[second.email] = mfa_enroll_totp(user=second)
    return second


@pytest.fixture
def cara_everywhere(personas, ola):
    """Cara has left a trace in every model of the consent and gates apps."""
    p, cara = personas, personas.cara
    consent_give(actor=cara, purpose=Purpose.ANALYTICS, method=Method.PRIVACY_PAGE)
    consent_withdraw(actor=cara, purpose=Purpose.ANALYTICS, method=Method.PRIVACY_PAGE)
    consent_give(actor=cara, purpose=Purpose.AI, method=Method.PRIVACY_PAGE)
    data_request_create(actor=cara, kind="correction", details="My headline is wrong")
    restriction_start(actor=cara, details="I dispute my match")
    dpo_appoint(actor=p.org_admin, organization=p.org, user=cara)
    version = agreement_publish(actor=p.org_admin, program=p.program, text="We keep it here.")
    agreement_accept(actor=cara, version=version)
    open_grant = breakglass_request(
        actor=p.org_admin,
        organization=p.org,
        subject=cara,
        reason="safeguarding",
        justification=WHY,
        hours=4,
        legal_exception_reason=EXCEPTION,
    )
    breakglass_approve(actor=ola, grant=open_grant)
    pending = breakglass_request(
        actor=ola, organization=p.org, subject=cara, reason="legal", justification=WHY, hours=2
    )
    assert TrainingCompletion.objects.filter(user=cara).exists()  # personas are trained
    return {"open": open_grant, "pending": pending}


def _links_to(user) -> set[tuple[str, str]]:
    """(model, field) of every row in the consent and gates apps that points at ``user``."""
    found = set()
    for label in ("consent", "gates"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                related = getattr(field, "related_model", None)
                if not getattr(field, "concrete", False) or related is None:
                    continue
                if related._meta.label != settings.AUTH_USER_MODEL:
                    continue
                if model.objects.filter(**{field.name: user.pk}).exists():
                    found.add((model._meta.label, field.name))
    return found


def _erase(user):
    return erasure.erasure_run(request=erasure.erasure_now(user=user))


def test_before_the_erasure_she_is_linked_everywhere(personas, cara_everywhere):
    # So that the test after it can fail: every model is reached.
    assert len(_links_to(personas.cara)) == 7


def test_after_her_erasure_only_the_grants_about_her_stay_linked(personas, cara_everywhere):
    cara = personas.cara
    assert _erase(cara).status == "completed"
    assert _links_to(cara) <= KEPT
    assert not ConsentRecord.objects.filter(user=cara).exists()
    assert not DataRequest.objects.filter(requester=cara).exists()
    assert not Restriction.objects.filter(user=cara).exists()
    assert not AgreementAcceptance.objects.filter(user=cara).exists()
    assert not TrainingCompletion.objects.filter(user=cara).exists()


def test_the_grants_about_her_are_closed_and_say_nothing_about_her(personas, cara_everywhere):
    _erase(personas.cara)
    for grant in BreakGlassGrant.objects.filter(subject=personas.cara):
        assert grant.status == BreakGlassGrant.Status.REVOKED
        assert grant.justification == ERASED_JUSTIFICATION
        assert grant.legal_exception_reason in (None, ERASED_JUSTIFICATION)
        assert "Cara" not in str(grant.justification) + str(grant.legal_exception_reason)
        assert not grant.is_open()
    # The evidence that access was asked for and approved is still there, about nobody.
    assert BreakGlassGrant.objects.filter(subject=personas.cara).count() == 2


def test_the_proof_of_her_consents_stays_in_the_audit_log_about_nobody(personas, cara_everywhere):
    cara = personas.cara
    pseudonym = audit.pseudonym(cara)
    given = AuditEvent.objects.filter(subject=pseudonym, action__startswith="consent.").count()
    assert given >= 3
    _erase(cara)
    assert AuditEvent.objects.filter(subject=pseudonym, action__startswith="consent.").count() == (
        given
    )
    assert audit.verify().ok


def test_grants_an_erased_admin_asked_for_keep_their_rows_and_lose_her_writing(
    personas, cara_everywhere
):
    admin = personas.org_admin
    asked = BreakGlassGrant.objects.filter(requested_by=admin).values_list("pk", flat=True)
    assert asked
    _erase(admin)
    for grant in BreakGlassGrant.objects.filter(pk__in=list(asked)):
        assert grant.requested_by_id == admin.pk  # the anonymized account: "a former participant"
        assert is_unavailable(grant.justification)  # her writing went with her key
