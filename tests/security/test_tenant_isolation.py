"""Every URL, every persona, every real object: each answer is the one the access rules give.

Two organizations are filled through the real services. Demo Org runs a program with two
active relationships (Ana mentors Cara, Ben mentors Dev); Other Org runs one (Olga mentors the
outsider, Oscar administers it). Inside each relationship there is one of every kind of thing:
goal, milestone, shared and private notes, a scheduled meeting, the conversation and messages of
both participants, a safety report, a file and its share link; around them questions, "not this
person" and manager exclusions, a draft match run with a pair, an invitation, API tokens,
notifications and passkeys.

Then, for each viewer (all of Demo Org's roles, the outsider, and Other Org's mentor and admin),
every URL pattern with parameters is filled with the real ids of *all* those objects — the
viewer's own, their neighbours' in the same program, and the other organization's — and asked
by GET and POST on the pages (a signed-in session that passes the CSRF check) and by every
method on the API (a write-scoped bearer token). Each answer must be the one written in
``RULES`` below, from the access rules in docs/privacy.md rather than from the code:

* ``HIDDEN`` — 404, the same as for an id that does not exist;
* ``REFUSED`` — 403: the viewer sees the object but may not change it;
* ``SERVED`` — the request reaches the object: 200 for a page read (or the redirect the page
  makes), anything short of 403/404/405/5xx for a write (which is made, then rolled back).

A URL pattern with parameters that has no rule, or whose parameters cannot all be filled with
real ids, fails the test: a new page cannot slip through unwalked.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.webauthn.internal.auth import WebAuthn
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.test import Client
from django.utils import timezone
from fido2.cose import ES256
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

from mentorhaven.accounts.models import IdentityProvider, User
from mentorhaven.accounts.services import identity_provider_configure, mfa_enroll_totp
from mentorhaven.accounts.sso import PROVIDER_ID_PREFIX
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.community.services import event_create, survey_create
from mentorhaven.consent.domain import Purpose
from mentorhaven.consent.services import data_request_create, dpo_appoint, restriction_start
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.gates.services import (
    agreement_accept,
    agreement_publish,
    breakglass_approve,
    breakglass_request,
)
from mentorhaven.incidents.models import Alert
from mentorhaven.incidents.services import incident_open
from mentorhaven.library.services import resource_create
from mentorhaven.matching.models import Exclusion, MatchPair
from mentorhaven.matching.services import exclusion_add, match_run_create, question_create
from mentorhaven.mentoring.services import (
    calendar_feed_create,
    goal_create,
    meeting_accept,
    meeting_propose,
    milestone_add,
    note_create,
    relationship_accept,
    relationship_propose,
)
from mentorhaven.messaging.models import Notification
from mentorhaven.messaging.services import (
    conversation_for_relationship,
    message_send,
    report_escalate,
    report_triage,
)
from mentorhaven.messaging.services import report_create as report_create_service
from mentorhaven.privacy.building import export_build
from mentorhaven.privacy.services import export_link_create, export_request
from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program
from mentorhaven.programs.services import invitation_create
from mentorhaven.retention.services import legal_hold_place
from tests.factories import mark_trained

from ..conftest import PASSWORD, totp_code
from .urlwalk import Endpoint, endpoints

pytestmark = pytest.mark.django_db

DEMO_ROLES = ["org_admin", "auditor", "coordinator", "ana", "ben", "cara", "dev"]
OTHER_ORG = ["outsider", "olga", "oscar"]
VIEWERS = [*DEMO_ROLES, *OTHER_ORG]

HIDDEN, REFUSED, SERVED, NOT_ALLOWED = "404", "403", "served", "405"

# Who is who, written from the access rules (docs/privacy.md), not read from the code.
DEMO_ADMINS = frozenset({"coordinator", "org_admin"})  # run the program
DEMO_OVERSEERS = DEMO_ADMINS | {"auditor"}  # see its relationships' metadata
DEMO_MEMBERS = frozenset(DEMO_ROLES)
OTHER_ADMINS = frozenset({"oscar"})
OTHER_MEMBERS = frozenset(OTHER_ORG)


@pytest.fixture(autouse=True)
def _file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


# --- the world ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thing:
    """One real object, the value that names it in a URL, and who stands where towards it."""

    kind: str
    label: str
    value: str  # what goes into the URL: its public id, or the secret of a credential link
    org: str  # "demo" or "other"
    who: dict[str, frozenset[str]] = field(default_factory=dict, hash=False, compare=False)

    def has(self, viewer: str, audience: str) -> bool:
        return viewer in self.who.get(audience, ())


@dataclass
class World:
    people: dict[str, User]
    things: dict[str, list[Thing]]
    bearer: dict[str, str]  # viewer -> write-scoped API token
    totp: dict[str, str]  # e-mail -> TOTP secret, for those whose role requires one

    def add(self, kind: str, label: str, obj, org: str, **who) -> None:
        value = obj if isinstance(obj, str) else str(obj.public_id)
        frozen = {k: frozenset(v) for k, v in who.items()}
        self.things.setdefault(kind, []).append(Thing(kind, label, value, org, frozen))


def _passkey_registration() -> dict:
    """A passkey's registration as a browser sends it ("none" attestation, a fresh P-256 key):
    registering one for real needs a browser and an authenticator."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    credential_id = secrets.token_bytes(16)
    auth_data = AuthenticatorData.create(
        hashlib.sha256(b"localhost").digest(),
        AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
        0,
        AttestedCredentialData.create(bytes(16), credential_id, ES256.from_cryptography_key(key)),
    )
    response = RegistrationResponse(
        raw_id=credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=CollectedClientData.create(
                type="webauthn.create", challenge=b"walk", origin="http://localhost"
            ),
            attestation_object=AttestationObject.create("none", auth_data, {}),
        ),
    )
    return dict(response)


def _person(org: Organization, program: Program, email: str, name: str, role: str) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, display_name=name)
    OrgMembership.objects.create(organization=org, user=user)
    Membership.objects.create(program=program, user=user, role=role)
    mark_trained(user)  # past the mentor security training, like the personas
    return user


def _relationship(world: World, scope: str, org: str, admin, program, mentee, mentor, admins):
    """An active relationship with one of each kind of thing inside it, made by the services.

    ``scope`` names it in labels; ``admins`` run its program; the mentee writes the goal, the
    notes, the file and the report; the mentor writes a shared note of their own."""
    p = world.people
    mentee_name = next(k for k, v in p.items() if v == mentee)
    mentor_name = next(k for k, v in p.items() if v == mentor)
    parts = {mentee_name, mentor_name}
    overseers = set(admins) | ({"auditor"} if org == "demo" else set())
    rel = relationship_propose(actor=admin, program=program, mentee=mentee, mentor=mentor)
    relationship_accept(actor=mentee, relationship=rel)
    rel = relationship_accept(actor=mentor, relationship=rel)
    world.add(
        "relationship", f"{scope} relationship", rel, org,
        parts=parts, mentee={mentee_name}, mentor={mentor_name}, meta=parts | overseers,
        lifecycle=parts | set(admins),
        auditors=overseers - set(admins), admins=set(admins),
    )  # fmt: skip
    goal = goal_create(actor=mentee, relationship=rel, title=f"{scope} goal", description="why")
    world.add("goal", f"{scope} goal", goal, org, read=parts, write={mentee_name})
    milestone = milestone_add(actor=mentee, goal=goal, title="first step")
    world.add("milestone", f"{scope} milestone", milestone, org, read=parts, write={mentee_name})
    for label, author, author_name, shared in (
        ("shared note", mentee, mentee_name, True),
        ("private note", mentee, mentee_name, False),
        ("mentor's note", mentor, mentor_name, True),
    ):
        note = note_create(actor=author, relationship=rel, body=f"{scope} {label}", shared=shared)
        world.add(
            "note", f"{scope} {label}", note, org,
            read=parts if shared else {author_name}, write={author_name},
        )  # fmt: skip
    slot = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    meeting = meeting_propose(actor=mentee, relationship=rel, slots=[slot], agenda="plans")
    meeting = meeting_accept(actor=mentor, meeting=meeting, starts_at=slot)
    # Proposed by the mentee, accepted by the mentor: only the mentor answers a proposal.
    world.add("meeting", f"{scope} meeting", meeting, org, read=parts, answer={mentor_name})
    conversation = conversation_for_relationship(actor=mentee, relationship=rel)
    world.add(
        "conversation", f"{scope} conversation", conversation, org,
        parts=parts, **{name: parts - {name} for name in parts},
    )  # fmt: skip
    messages = {}
    for author, author_name in ((mentee, mentee_name), (mentor, mentor_name)):
        message = message_send(actor=author, conversation=conversation, body=f"hi, {author_name}")
        messages[author_name] = message
        world.add(
            "message", f"{scope} message by {author_name}", message, org,
            read=parts, write={author_name}, others=parts - {author_name},
            relationship={str(rel.public_id)},
        )  # fmt: skip
    report = report_create_service(actor=mentee, reason="other", message=messages[mentor_name])
    readers = set(admins)
    if scope == "Dev-Ben":  # an escalated case: Demo Org's security officer reads it too
        report_triage(actor=admin, report=report)
        report_escalate(actor=admin, report=report)
        readers.add("auditor")  # the demo auditor is also the security officer (incidents)
    world.add("report", f"{scope} report", report, org, read=readers, write=set(admins))
    file = file_upload(
        actor=mentee, fileobj=io.BytesIO(b"cv\n"), declared_name="cv.txt", relationship=rel
    )
    world.add("file", f"{scope} file", file, org, read=parts, write={mentee_name})
    link, token = share_link_create(actor=mentee, file=file)
    world.add("share_link", f"{scope} share link", link, org, write={mentee_name})
    world.add("share_token", f"{scope} share token", token, org)
    return rel


@pytest.fixture
def world(personas, django_capture_on_commit_callbacks, mailoutbox) -> World:
    p = personas
    olga = _person(p.other_org, p.other_program, "olga@other.test", "Olga Other", "mentor")
    oscar = _person(p.other_org, p.other_program, "oscar@other.test", "Oscar Other", "mentor")
    Membership.objects.filter(user=oscar).update(role=Membership.Role.PROGRAM_ADMIN)
    OrgMembership.objects.filter(user=oscar).update(role=OrgMembership.Role.ORG_ADMIN)
    for user in (olga, oscar):  # a mentor and an admin: their roles require a second factor
        p.totp_secrets[user.email] = mfa_enroll_totp(user=user)
    people = {name: getattr(p, name) for name in [*DEMO_ROLES, "outsider"]}
    people.update(olga=olga, oscar=oscar)
    world = World(people=people, things={}, bearer={}, totp=p.totp_secrets)
    runs = {}
    for name, user in people.items():
        world.add("person", name, user, "demo" if name in DEMO_ROLES else "other")
        _token, secret = api_token_create(actor=user, user=user, name="walk", scope="write")
        world.bearer[name] = secret
        token, _secret = api_token_create(actor=user, user=user, name="another")
        world.add("api_token", f"{name}'s token", token, "", owner={name})
        if user.email in p.totp_secrets:  # a passkey is a second factor beside the first
            passkey = WebAuthn.add(user, "laptop", _passkey_registration())
            world.add("passkey", f"{name}'s passkey", str(passkey.instance.pk), "", owner={name})

    for org, program, admins, members, admin in (
        ("demo", p.program, DEMO_ADMINS, DEMO_MEMBERS, p.coordinator),
        ("other", p.other_program, OTHER_ADMINS, OTHER_MEMBERS, oscar),
    ):
        mentees = {"demo": {"cara", "dev"}, "other": {"outsider"}}[org]
        mentors = {"demo": {"ana", "ben"}, "other": {"olga"}}[org]
        overseers = admins | ({"auditor"} if org == "demo" else set())
        # A program's community (its events): its members and whoever runs it; not the
        # organization's auditor, who oversees the program without taking part.
        community = admins | mentees | mentors
        world.add(
            "program", f"{org} program", program, org,
            visible=members, overseers=overseers, admins=admins, mentee=mentees, mentor=mentors,
            matching=admins | mentees | mentors, community=community,
            org_admins={"org_admin"} if org == "demo" else {"oscar"},
        )  # fmt: skip
        world.add(
            "program_slug", f"{org} program's slug", program.slug, org,
            visible=members, org_admins={"org_admin"} if org == "demo" else {"oscar"},
            community=community, admins=admins,
        )  # fmt: skip
        starts = timezone.now() + timedelta(days=5)
        event = event_create(
            actor=admin, program=program, format="in_person", title=f"{org} meetup",
            description="", place="Hall", link="", starts_at=starts,
            ends_at=starts + timedelta(hours=2), capacity=10,
        )  # fmt: skip
        world.add("event", f"{org} event", event, org, members=community, admins=admins)
        survey = survey_create(
            actor=admin, program=program, title=f"{org} survey", mode="anonymous",
            questions=[{"kind": "scale", "prompt": "How is it going?"}],
        )  # fmt: skip
        world.add("survey", f"{org} survey", survey, org, members=community, admins=admins)
        world.add("survey_question", f"{org} survey question", survey.questions.get(), org)
        # The library: a video for everyone in the program, an article for its mentees only.
        payload = b"\x00" * 2048
        video = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x08moov"
        video += (len(payload) + 8).to_bytes(4, "big") + b"mdat" + payload
        shared = resource_create(
            actor=admin, program=program, kind="video", audience="all", title=f"{org} video",
            fileobj=io.BytesIO(video), declared_name="intro.mp4",
        )  # fmt: skip
        world.add("resource", f"{org} video", shared, org, members=community, admins=admins)
        for_mentees = resource_create(
            actor=admin, program=program, kind="article", audience="mentee",
            title=f"{org} mentee guide", body="First steps",
        )  # fmt: skip
        world.add(
            "resource", f"{org} mentee article", for_mentees, org,
            members=admins | mentees, admins=admins,
        )  # fmt: skip
        organization = program.organization
        world.add(
            "organization", f"{org} organization", organization, org, inviters=admins,
            org_admins={"org_admin"} if org == "demo" else {"oscar"},
            overseers={"org_admin", "auditor"} if org == "demo" else {"oscar"},
        )  # fmt: skip
        # Each organization's sign-in provider (nothing listens at its issuer: the walk never
        # completes a sign-in, it only opens the provider's addresses as anyone may).
        idp = identity_provider_configure(
            actor=admin, organization=organization, name=f"{org} sign-in",
            issuer="http://127.0.0.1:9", client_id=f"{org}-client", client_secret="walk-secret",
            domains=[f"{org}-sso.test"], second_factor=IdentityProvider.SecondFactor.OURS,
        )  # fmt: skip
        world.add(
            "sso_provider", f"{org} sign-in provider", f"{PROVIDER_ID_PREFIX}{idp.public_id}", org
        )
        question = question_create(
            actor=admin, program=program, kind="single", prompt="Industry", options=["a", "b"]
        )
        world.add("question", f"{org} question", question, org, admins=admins)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invitation_create(
                actor=admin, organization=organization, email=f"new@{org}.test",
                program=program, program_role="mentee",
            )  # fmt: skip
        world.add("invitation", f"{org} invitation", invitation, org, admins=admins)
        token = re.search(r"/accounts/invitation/([^/\s]+)/", mailoutbox[-1].body)
        assert token, "the invitation e-mail carries its link"
        world.add("invitation_token", f"{org} invitation token", token.group(1), org)
        runs[org] = match_run_create(actor=admin, program=program)
        world.add("run", f"{org} draft run", runs[org], org, admins=admins)

    demo_rel = _relationship(world, "Cara-Ana", "demo", p.coordinator, p.program, p.cara, p.ana,
                             DEMO_ADMINS)  # fmt: skip
    _relationship(world, "Dev-Ben", "demo", p.coordinator, p.program, p.dev, p.ben, DEMO_ADMINS)
    other_rel = _relationship(world, "Outsider-Olga", "other", oscar, p.other_program,
                              p.outsider, olga, OTHER_ADMINS)  # fmt: skip
    for org, rel, admin in (("demo", demo_rel, p.coordinator), ("other", other_rel, oscar)):
        # The run's pair for this mentee (made by the run, or added as a row of the draft).
        pair, _made = MatchPair.objects.get_or_create(
            run=runs[org], mentee=rel.mentee, defaults={"mentor": rel.mentor}
        )
        admins = DEMO_ADMINS if org == "demo" else OTHER_ADMINS
        world.add("pair", f"{org} pair", pair, org, admins=admins)
        chooser = rel.mentee
        own = exclusion_add(
            actor=chooser, program=rel.program, person=chooser, other=rel.mentor,
            kind=Exclusion.Kind.NOT_THIS_PERSON,
        )  # fmt: skip
        owner = "cara" if org == "demo" else "outsider"
        world.add("exclusion", f"{org} not-this-person", own, org, removers={owner})
        managed = exclusion_add(
            actor=admin, program=rel.program, person=rel.mentee, other=rel.mentor,
            kind=Exclusion.Kind.MANAGER,
        )  # fmt: skip
        world.add("exclusion", f"{org} manager exclusion", managed, org, removers=admins)

    for name, user in people.items():
        for notification in Notification.objects.filter(user=user)[:1]:
            world.add("notification", f"{name}'s notification", notification, "", owner={name})
    _feed, feed_token = calendar_feed_create(actor=p.cara)
    world.add("calendar_token", "Cara's calendar feed", feed_token, "demo")
    address = EmailAddress.objects.create(user=p.cara, email=p.cara.email, primary=True)
    world.add("email_key", "Cara's e-mail key", EmailConfirmationHMAC(address).key, "demo")
    world.add("reset_uid", "Cara's reset id", user_pk_to_url_str(p.cara), "demo")
    world.add("reset_key", "Cara's reset key", default_token_generator.make_token(p.cara), "demo")
    job = export_request(actor=p.cara)
    # Under a transactional test the request's own task has built it already, on commit.
    export = export_build(job_id=job.pk) or type(job).objects.get(pk=job.pk)
    assert export.status == "ready", export.status
    world.add("export", "Cara's data export", export, "demo", owner={"cara"})
    link = export_link_create(actor=p.cara, job=export)
    world.add("export_token", "Cara's export download link", link.token, "demo")
    for role in ("mentee", "mentor"):
        world.add("role", role, role, "")
    # Data-protection requests: each organization's officer handles its own requests only.
    for org, organization, officer, requester, restricted in (
        ("demo", p.org, "auditor", "cara", "dev"),
        ("other", p.other_org, "oscar", "outsider", "outsider"),
    ):
        dpo_appoint(actor=None, organization=organization, user=people[officer])
        request = data_request_create(actor=people[requester], kind="correction", details="x")
        world.add("data_request", f"{org} request", request, org,
                  readers={requester, officer}, officers={officer})  # fmt: skip
        restriction = restriction_start(actor=people[restricted])
        world.add("restriction", f"{org} restriction", restriction, org, owner={restricted})
    for purpose in Purpose:
        world.add("purpose", purpose.value, purpose.value, "")
    _gates(world, p, oscar)
    _holds(world, p, oscar)
    _incidents(world, p, oscar)
    return world


def _gates(world: World, p, oscar) -> None:
    """Each program's confidentiality agreement (accepted by its members, so nobody is stopped
    before the walk reaches them) and, in each organization, a break-glass request waiting for
    a second admin, filed by the organization's admin."""
    for org, program, admin in (
        ("demo", p.program, p.org_admin),
        ("other", p.other_program, oscar),
    ):
        version = agreement_publish(actor=admin, program=program, text=f"{org} agreement")
        members = set()
        for name, user in world.people.items():
            if Membership.objects.filter(program=program, user=user).exists():
                agreement_accept(actor=user, version=version)
                members.add(name)
        world.add("agreement", f"{org} agreement", version, org, members=members)
        subject = p.cara if org == "demo" else p.outsider
        grant = breakglass_request(
            actor=admin, organization=program.organization, subject=subject,
            reason="safeguarding", justification="A safeguarding concern must be checked now.",
            hours=2,
        )  # fmt: skip
        requester = "org_admin" if org == "demo" else "oscar"
        world.add(
            "grant", f"{org} grant", grant, org, org_admins={requester}, requester={requester}
        )
    # In the demo organization a second admin, who never signs in to the walk, asks for a grant
    # the org admin may decide, and approves one the org admin asked for: the one grant anybody
    # walking can read under.
    sam = _person(p.program.organization, p.program, "sam@demo.test", "Sam Second", "mentor")
    OrgMembership.objects.filter(user=sam).update(role=OrgMembership.Role.ORG_ADMIN)
    asked = breakglass_request(
        actor=sam, organization=p.program.organization, subject=p.dev, reason="legal",
        justification="A court order names this person.", hours=2,
    )  # fmt: skip
    world.add("grant", "grant asked by a second admin", asked, "demo",
              org_admins={"org_admin"}, deciders={"org_admin"})  # fmt: skip
    approved = breakglass_request(
        actor=p.org_admin, organization=p.program.organization, subject=p.cara,
        reason="safeguarding", justification="A safeguarding concern must be checked now.",
        hours=2,
    )  # fmt: skip
    breakglass_approve(actor=sam, grant=approved)
    world.add("grant", "approved grant", approved, "demo", org_admins={"org_admin"},
              requester={"org_admin"}, readers={"org_admin"})  # fmt: skip
    world.add("decision", "approve", "approve", "")


def _holds(world: World, p, oscar) -> None:
    """A legal hold on a person in each organization, placed by its admin: the overseers of the
    organization (admin, auditor) see it, only its admin releases it."""
    for org, admin, person, organization in (
        ("demo", p.org_admin, p.cara, p.program.organization),
        ("other", oscar, p.outsider, p.other_program.organization),
    ):
        hold = legal_hold_place(
            actor=admin, organization_id=organization.public_id,
            scope="person", reference=person.email, reason="A claim is pending.",
        )  # fmt: skip
        overseers = {"org_admin", "auditor"} if org == "demo" else {"oscar"}
        org_admins = {"org_admin"} if org == "demo" else {"oscar"}
        world.add("hold", f"{org} hold", hold, org, overseers=overseers, org_admins=org_admins)


def _incidents(world: World, p, oscar) -> None:
    """A security incident in each organization, opened by its security officer: the demo
    auditor is also Demo Org's security officer, Oscar Other Org's. Only they reach it."""
    for org, officer, organization in (
        ("demo", p.auditor, p.org),
        ("other", oscar, p.other_org),
    ):
        OrgMembership.objects.create(
            organization=organization, user=officer, role=OrgMembership.Role.SECURITY_OFFICER
        )
        incident = incident_open(
            actor=officer, organization_id=organization.public_id, severity="high",
            description=f"{org} incident",
        )  # fmt: skip
        name = "auditor" if org == "demo" else "oscar"
        world.add("incident", f"{org} incident", incident, org, officers={name})
        now = timezone.now()
        alert = Alert.objects.create(
            organization=organization, rule=Alert.Rule.SECOND_FACTOR_RESET, account=officer,
            count=1, window_start=now - timedelta(minutes=15), window_end=now,
        )  # fmt: skip
        world.add("alert", f"{org} alert", alert, org, officers={name})
        world.things["organization"] = [
            Thing(t.kind, t.label, t.value, t.org, {**t.who, "officers": frozenset({name})})
            if t.org == org
            else t
            for t in world.things["organization"]
        ]


# --- the rules ---------------------------------------------------------------------------------

Check = Callable[[str, dict[str, Thing]], str]


@dataclass(frozen=True)
class Rule:
    """What one URL pattern answers: the kind of real object each parameter takes, and the
    expected answer for a viewer and those objects. ``methods`` are the methods it serves (the
    pages: GET and POST; an API operation: its one method). ``credential`` rules are links whose
    secret is the credential (the same answer for everyone holding it): their expected status
    per method instead of a check."""

    params: dict[str, str]
    check: Check | None = None
    methods: tuple[str, ...] = ("get", "post")
    redirects: bool = False  # a served GET answers with a redirect, not a page
    data: Callable[[dict[str, Thing], World], dict] | None = None
    credential: dict[str, int] | None = None


def reach(audience: str) -> Check:
    """Served to the thing's ``audience``; everyone else: as if it did not exist."""

    def check(viewer: str, things: dict[str, Thing]) -> str:
        [thing] = things.values()
        return SERVED if thing.has(viewer, audience) else HIDDEN

    return check


def change(read: str, write: str) -> Check:
    """Served to the ``write`` audience; seen but refused by the rest of ``read``."""

    def check(viewer: str, things: dict[str, Thing]) -> str:
        [thing] = things.values()
        if thing.has(viewer, write):
            return SERVED
        return REFUSED if thing.has(viewer, read) else HIDDEN

    return check


def _decline(viewer: str, things: dict[str, Thing]) -> str:
    # A request is answered by its participants; the program's admins may act on the
    # relationship elsewhere but this page is not theirs; auditors may not act at all.
    rel = things["relationship_id"]
    if rel.has(viewer, "parts"):
        return SERVED
    return REFUSED if rel.has(viewer, "auditors") else HIDDEN


def _themes(viewer: str, things: dict[str, Thing]) -> str:
    # Those who run the survey's program; its members see the survey but may not; a question
    # of another survey is not found, even by them (each organization has one survey).
    survey, question = things["survey_id"], things["question_id"]
    if not survey.has(viewer, "members"):
        return HIDDEN
    if not survey.has(viewer, "admins"):
        return REFUSED
    return SERVED if question.org == survey.org else HIDDEN  # one survey per organization


def _questionnaire(viewer: str, things: dict[str, Thing]) -> str:
    program, role = things["program_id"], things["role"]
    return SERVED if program.has(viewer, role.value) else HIDDEN


def _person_in_conversation(viewer: str, things: dict[str, Thing]) -> str:
    # Only the other participant of a conversation one takes part in can be reported or blocked.
    conversation, person = things["conversation_id"], things["user_id"]
    if conversation.has(viewer, "parts") and person.label in conversation.who[viewer]:
        return SERVED
    return HIDDEN


def _own_message_in_its_relationship(viewer: str, things: dict[str, Thing]) -> str:
    relationship, message = things["relationship_id"], things["message_id"]
    if message.has(viewer, "write"):
        return SERVED if relationship.value in message.who["relationship"] else HIDDEN
    return REFUSED if message.has(viewer, "read") else HIDDEN


def _mentor_of(things: dict[str, Thing], world: World) -> dict:
    mentor = "ana" if things["program_id"].org == "demo" else "olga"
    return {"mentor": str(world.people[mentor].public_id)}


def _pair_of(things: dict[str, Thing], world: World) -> dict:
    mentee, mentor = ("cara", "ana") if things["run_id"].org == "demo" else ("outsider", "olga")
    return {
        key: str(world.people[name].public_id)
        for key, name in zip(("mentee", "mentor"), (mentee, mentor), strict=True)
    }


REL, CONV, FILE = (
    {"relationship_id": "relationship"},
    {"conversation_id": "conversation"},
    {"file_id": "file"},
)
PROGRAM, RUN, GOAL = {"program_id": "program"}, {"run_id": "run"}, {"goal_id": "goal"}
NOTE, MEETING, MESSAGE = {"note_id": "note"}, {"meeting_id": "meeting"}, {"message_id": "message"}
EVENT, SURVEY = {"event_id": "event"}, {"survey_id": "survey"}
RESOURCE = {"resource_id": "resource"}

RULES: dict[str, Rule] = {
    # accounts: one's own tokens and passkeys; links whose secret is the credential
    "account_token_revoke": Rule({"public_id": "api_token"}, reach("owner")),
    "mfa_remove_webauthn": Rule({"pk": "passkey"}, reach("owner")),
    "mfa_edit_webauthn": Rule({"pk": "passkey"}, reach("owner")),
    "invitation_open": Rule({"token": "invitation_token"}, credential={"get": 302, "post": 302}),
    # allauth's e-mail links: their answer depends on who is signed in (not an access rule
    # of ours); the walk checks that the real key reaches the page and breaks nothing.
    "account_confirm_email": Rule({"key": "email_key"}, credential={}),
    "account_reset_password_from_key": Rule(
        {"uidb36": "reset_uid", "key": "reset_key"}, credential={}
    ),
    # invitations: the organization's inviters
    # single sign-on: the organization's admins set it up; its provider's sign-in addresses
    # are open to anyone (the provider decides who signs in), and answer alike for everyone
    "sso_settings": Rule({"org_id": "organization"}, reach("org_admins")),
    # (a POST goes on to the provider, which the walk's world does not run: "cannot be
    # reached", 502, for everyone alike; tests/accounts/test_sso.py signs in through a real one)
    "openid_connect_login": Rule(
        {"provider_id": "sso_provider"}, credential={"get": 200, "post": 502}
    ),
    "openid_connect_callback": Rule({"provider_id": "sso_provider"}, credential={}),
    "invitations": Rule({"org_id": "organization"}, reach("inviters")),
    "invitations_bulk": Rule({"org_id": "organization"}, reach("inviters")),
    "invitation_revoke": Rule({"invitation_id": "invitation"}, reach("admins")),
    # program set-up: the organization's admins; the program's members see it but may not
    "programs_manage": Rule({"org_id": "organization"}, reach("org_admins")),
    "program_edit": Rule(PROGRAM, change("visible", "org_admins")),
    "program_archive": Rule(PROGRAM, change("visible", "org_admins"), methods=("post",)),
    # relationships: the participants; metadata to those who oversee the program
    "calendar_feed": Rule({"token": "calendar_token"}, credential={"get": 200, "post": 405}),
    "relationship_program": Rule(PROGRAM, reach("overseers")),
    "relationship_detail": Rule(REL, reach("parts")),
    "relationship_accept": Rule(REL, change("meta", "lifecycle")),
    "relationship_end": Rule(REL, change("meta", "lifecycle")),
    # The coordinator's page: its program's admins; participants and auditors see it, may not.
    "relationship_manage": Rule(REL, change("meta", "admins")),
    "relationship_rematch": Rule(REL, change("meta", "admins"), methods=("post",)),
    # Participants of a completed relationship only; the world's are active: a served request
    # answers with the flashed refusal (a redirect); everyone else as if it did not exist.
    "relationship_survey": Rule(REL, reach("parts"), methods=("post",)),
    # The mentee's completion summary (before completion, a page saying it is not ready).
    "relationship_certificate": Rule(REL, reach("mentee"), methods=("get",)),
    # Goals are the mentee's to set; the mentor reads them.
    "goal_add": Rule(REL, change("parts", "mentee"), data=lambda t, w: {"title": "walk"}),
    "note_add": Rule(REL, reach("parts")),
    "meeting_add": Rule(REL, reach("parts")),
    "goal_progress": Rule(GOAL, change("read", "write")),
    "goal_status": Rule(GOAL, change("read", "write")),
    "milestone_add": Rule(GOAL, change("read", "write")),
    "milestone_toggle": Rule({"milestone_id": "milestone"}, change("read", "write")),
    "note_edit": Rule(NOTE, change("read", "write")),
    "note_delete": Rule(NOTE, change("read", "write")),
    "meeting_accept": Rule(MEETING, reach("read")),
    "meeting_decline": Rule(MEETING, change("read", "answer")),
    "meeting_cancel": Rule(MEETING, reach("read")),
    "meeting_feedback": Rule(MEETING, reach("read")),
    "meeting_ics": Rule(MEETING, reach("read")),
    # matching: the program's admins; participants for their own side of it
    "matching_hub": Rule(PROGRAM, reach("matching")),
    "matching_questions": Rule(PROGRAM, reach("admins")),
    "matching_question_delete": Rule({"question_id": "question"}, reach("admins")),
    "matching_questionnaire": Rule({"program_id": "program", "role": "role"}, _questionnaire),
    "matching_exclusion_add": Rule(PROGRAM, reach("visible")),
    "matching_exclusion_remove": Rule({"exclusion_id": "exclusion"}, reach("removers")),
    "matching_runs": Rule(PROGRAM, reach("admins")),
    "matching_manager_add": Rule(PROGRAM, reach("admins")),
    "matching_run": Rule(RUN, reach("admins")),
    "matching_pair_add": Rule(RUN, reach("admins"), data=_pair_of),
    "matching_run_publish": Rule(RUN, reach("admins")),
    "matching_run_discard": Rule(RUN, reach("admins")),
    "matching_pair_remove": Rule({"pair_id": "pair"}, reach("admins")),
    "matching_pair_swap": Rule(
        {"pair_id": "pair"}, reach("admins"), data=lambda t, w: {"other": t["pair_id"].value}
    ),
    "matching_suggestions": Rule(PROGRAM, reach("mentee")),
    "matching_request": Rule(PROGRAM, reach("mentee"), data=_mentor_of),
    "matching_waitlist": Rule(PROGRAM, reach("mentee")),
    "matching_requests": Rule(PROGRAM, reach("mentor")),
    "matching_request_decline": Rule(REL, _decline),
    "matching_why": Rule(REL, reach("parts")),
    # reporting: the program's overseers (its admins, the organization's admins and auditors)
    # see its dashboard, exports and consented insights; the organization's admins its policy
    "reporting:dashboard": Rule(PROGRAM, reach("overseers"), methods=("get",)),
    "reporting:export_csv": Rule(PROGRAM, reach("overseers"), methods=("get",)),
    "reporting:export_pdf": Rule(PROGRAM, reach("overseers"), methods=("get",)),
    "reporting:insights": Rule(PROGRAM, reach("overseers"), methods=("get",)),
    "reporting:policy": Rule({"org_id": "organization"}, reach("org_admins")),
    "matching_fairness": Rule(PROGRAM, reach("admins")),
    "matching_console": Rule(PROGRAM, reach("admins"), methods=("get",)),
    "matching_console_csv": Rule(PROGRAM, reach("admins"), methods=("get",)),
    # messaging: the two participants; reports to the program's admins
    "messaging:open": Rule(REL, reach("parts"), redirects=True),
    "messaging:conversation": Rule(CONV, reach("parts")),
    "messaging:history": Rule(CONV, reach("parts")),
    "messaging:poll": Rule(CONV, reach("parts")),
    "messaging:send": Rule(CONV, reach("parts")),
    "messaging:search": Rule(CONV, reach("parts")),
    "messaging:report_person": Rule({**CONV, "user_id": "person"}, _person_in_conversation),
    "messaging:block": Rule({**CONV, "user_id": "person"}, _person_in_conversation),
    "messaging:message_edit": Rule(MESSAGE, change("read", "write")),
    "messaging:message_delete": Rule(MESSAGE, change("read", "write")),
    "messaging:report_message": Rule(MESSAGE, reach("others")),
    "messaging:notification": Rule(
        {"notification_id": "notification"}, reach("owner"), redirects=True
    ),
    # safety cases: the program's admins act; an escalated case's security officers only read
    # (an empty POST is a 400 for every reader; the case services refuse a reader's action)
    "messaging:report_detail": Rule({"report_id": "report"}, reach("read")),
    # files: the participants read, the uploader changes; share pages take the link's secret
    "relationship_files": Rule(REL, reach("parts")),
    "file_detail": Rule(FILE, reach("read")),
    "file_content": Rule(FILE, reach("read")),
    "file_delete": Rule(FILE, change("read", "write")),
    "share_link_create": Rule(FILE, change("read", "write")),
    "share_link_revoke": Rule({"link_id": "share_link"}, reach("write")),
    "share_page": Rule({"token": "share_token"}, credential={"get": 200, "post": 302}),
    "share_download": Rule({"token": "share_token"}, credential={"get": 200, "post": 405}),
    # gates: the agreement to its program's members; publishing to the organization's admins;
    # break-glass to the organization's admins (a pending request: nobody reads under it, and
    # its requester may not approve it)
    "gates:agreement": Rule({"version_id": "agreement"}, reach("members")),
    "gates:agreement_publish": Rule(PROGRAM, reach("org_admins")),
    "gates:training_figures": Rule(PROGRAM, reach("admins")),
    "gates:breakglass_list": Rule({"org_id": "organization"}, reach("org_admins")),
    # events: the program's members and those who run it; the latter publish, change, cancel
    # and check people in (members see the event but may not); nobody else sees anything
    "community:event_list": Rule(PROGRAM, reach("community")),
    "community:event_create": Rule(PROGRAM, change("community", "admins")),
    "community:event_detail": Rule(EVENT, reach("members")),
    "community:event_edit": Rule(EVENT, change("members", "admins")),
    "community:event_cancel": Rule(EVENT, change("members", "admins")),
    "community:register": Rule(EVENT, reach("members"), methods=("post",)),
    "community:unregister": Rule(EVENT, reach("members"), methods=("post",)),
    "community:check_in": Rule(EVENT, change("members", "admins"), methods=("post",)),
    "community:event_ics": Rule(EVENT, reach("members"), methods=("get",)),
    # surveys: the program's members answer; those who run it publish, read results, close
    # library: the program's people see the resources for everyone or for their role; those
    # who run the program add, change and archive them; nobody else sees anything
    "library:resource_list": Rule(PROGRAM, reach("community")),
    "library:resource_create": Rule(PROGRAM, change("community", "admins")),
    "library:resource_detail": Rule(RESOURCE, reach("members")),
    "library:resource_edit": Rule(RESOURCE, change("members", "admins")),
    "library:resource_archive": Rule(RESOURCE, change("members", "admins"), methods=("post",)),
    "library:resource_content": Rule(RESOURCE, reach("members"), methods=("get",)),
    "surveys:list": Rule(PROGRAM, reach("community")),
    "surveys:new": Rule(PROGRAM, change("community", "admins")),
    "surveys:respond": Rule(SURVEY, reach("members")),
    "surveys:results": Rule(SURVEY, change("members", "admins")),
    "surveys:close": Rule(SURVEY, change("members", "admins"), methods=("post",)),
    # AI assistance (refused with a message while the organization has not turned it on): the
    # goal's owner; the pair; the mentor; those who run a survey's program.
    "assistant_goal_coach": Rule(GOAL, change("read", "write"), methods=("post",)),
    "assistant_goal_coach_accept": Rule(GOAL, change("read", "write"), methods=("post",)),
    "assistant_meeting_agenda": Rule(REL, reach("parts"), methods=("post",)),
    "assistant_conversation_prompts": Rule(REL, change("parts", "mentor"), methods=("post",)),
    "assistant_program_themes": Rule(
        {"survey_id": "survey", "question_id": "survey_question"}, _themes, methods=("post",)
    ),
    # retention: an organization's overseers see its holds; only its admins change anything
    "retention_policy_set": Rule(
        {"org_id": "organization"}, change("overseers", "org_admins"), methods=("post",)
    ),
    "retention_hold_place": Rule(
        {"org_id": "organization"}, change("overseers", "org_admins"), methods=("post",)
    ),
    "retention_hold_release": Rule(
        {"hold_id": "hold"}, change("overseers", "org_admins"), methods=("post",)
    ),
    "gates:breakglass_detail": Rule({"grant_id": "grant"}, reach("org_admins")),
    "gates:breakglass_read": Rule({"grant_id": "grant"}, reach("readers")),
    "gates:breakglass_decide": Rule(
        {"grant_id": "grant", "decision": "decision"},
        lambda viewer, things: (
            SERVED
            if things["grant_id"].has(viewer, "deciders")
            else REFUSED
            if things["grant_id"].has(viewer, "requester")
            else HIDDEN
        ),
        methods=("post",),
    ),
    # incidents: the organization's security officers, and nobody else
    "incidents:open": Rule({"org_id": "organization"}, reach("officers"), methods=("post",)),
    "incidents:detail": Rule({"incident_id": "incident"}, reach("officers")),
    "incidents:entry_add": Rule({"incident_id": "incident"}, reach("officers"), methods=("post",)),
    "incidents:advance": Rule({"incident_id": "incident"}, reach("officers"), methods=("post",)),
    "incidents:contain": Rule({"incident_id": "incident"}, reach("officers"), methods=("post",)),
    "incidents:impact": Rule({"incident_id": "incident"}, reach("officers")),
    "incidents:alert_open": Rule({"alert_id": "alert"}, reach("officers"), methods=("post",)),
    "incidents:alert_dismiss": Rule({"alert_id": "alert"}, reach("officers"), methods=("post",)),
    "incidents:unlock": Rule({"incident_id": "incident"}, reach("officers"), methods=("post",)),
    "incidents:notify": Rule({"incident_id": "incident"}, reach("officers"), methods=("post",)),
    "incidents:regulator": Rule({"incident_id": "incident"}, reach("officers"), methods=("post",)),
    # data exports: the person's own, and nobody else's; the download link is a credential
    "privacy_export_status": Rule({"export_id": "export"}, reach("owner")),
    "privacy_export_link": Rule({"export_id": "export"}, reach("owner")),
    "privacy_export_download": Rule(
        {"token": "export_token"}, credential={"get": 200, "post": 405}
    ),
    # consent and data requests: one's own consents and restriction; a request for its
    # requester (read) and its organization's data-protection officers (read and handle)
    # A purpose names no object: everyone acts on their own consent, so it answers alike.
    "consent_give": Rule({"purpose": "purpose"}, credential={"post": 302}),
    "consent_withdraw": Rule({"purpose": "purpose"}, credential={"post": 302}),
    "restriction_lift": Rule({"restriction_id": "restriction"}, reach("owner")),
    "data_request_detail": Rule({"request_id": "data_request"}, reach("readers"), methods=("get",)),
    "data_request_status": Rule(
        {"request_id": "data_request"}, change("readers", "officers"), methods=("post",)
    ),
    # the API: the same rules, one method per operation
    "api:token_revoke": Rule({"public_id": "api_token"}, reach("owner"), methods=("delete",)),
    "api:program_detail": Rule({"public_id": "program"}, reach("visible"), methods=("get",)),
    "api:membership_list": Rule({"public_id": "program"}, reach("visible"), methods=("get",)),
    "api:program_update": Rule(
        {"slug": "program_slug"}, change("visible", "org_admins"), methods=("patch",)
    ),
    "api:program_settings": Rule(
        {"slug": "program_slug"}, change("visible", "org_admins"), methods=("get",)
    ),
    "api:program_archive": Rule(
        {"slug": "program_slug"}, change("visible", "org_admins"), methods=("post",)
    ),
    "api:event_list": Rule({"slug": "program_slug"}, reach("community"), methods=("get",)),
    "api:event_create": Rule(
        {"slug": "program_slug"}, change("community", "admins"), methods=("post",)
    ),
    "api:event_detail": Rule(EVENT, reach("members"), methods=("get",)),
    "api:registration_create": Rule(EVENT, reach("members"), methods=("post",)),
    "api:registration_cancel": Rule(EVENT, reach("members"), methods=("delete",)),
    "api:event_ics": Rule(EVENT, reach("members"), methods=("get",)),
    "api:resource_list": Rule({"slug": "program_slug"}, reach("community"), methods=("get",)),
    "api:resource_create": Rule(
        {"slug": "program_slug"}, change("community", "admins"), methods=("post",)
    ),
    "api:resource_detail": Rule(RESOURCE, reach("members"), methods=("get",)),
    "api:resource_content": Rule(RESOURCE, reach("members"), methods=("get",)),
    "api:survey_list": Rule({"slug": "program_slug"}, reach("community"), methods=("get",)),
    "api:survey_publish": Rule(
        {"slug": "program_slug"}, change("community", "admins"), methods=("post",)
    ),
    "api:survey_answer": Rule(SURVEY, reach("members"), methods=("post",)),
    "api:survey_results": Rule(SURVEY, change("members", "admins"), methods=("get",)),
    "api:suggestions": Rule(PROGRAM, reach("mentee"), methods=("get",)),
    "api:match_run_create": Rule(PROGRAM, reach("admins"), methods=("post",)),
    "api:match_run_publish": Rule(RUN, reach("admins"), methods=("post",)),
    "api:relationship_detail": Rule(REL, reach("meta"), methods=("get",)),
    "api:relationship_end": Rule(REL, change("meta", "lifecycle"), methods=("post",)),
    # The coordinator's actions: its program's admins; participants and auditors see, may not.
    "api:relationship_pause": Rule(REL, change("meta", "admins"), methods=("post",)),
    "api:relationship_resume": Rule(REL, change("meta", "admins"), methods=("post",)),
    "api:relationship_rematch": Rule(REL, change("meta", "admins"), methods=("post",)),
    # Participants only (the world's relationships are active: a served request is a 409).
    "api:closing_survey_give": Rule(REL, reach("parts"), methods=("post",)),
    "api:goal_list": Rule(REL, reach("parts"), methods=("get",)),
    "api:goal_create": Rule(REL, change("parts", "mentee"), methods=("post",)),
    "api:meeting_list": Rule(REL, reach("parts"), methods=("get",)),
    "api:meeting_propose": Rule(REL, reach("parts"), methods=("post",)),
    "api:note_list": Rule(REL, reach("parts"), methods=("get",)),
    "api:note_create": Rule(REL, reach("parts"), methods=("post",)),
    "api:message_list": Rule(REL, reach("parts"), methods=("get",)),
    "api:message_send": Rule(REL, reach("parts"), methods=("post",)),
    "api:message_edit": Rule(
        {**REL, **MESSAGE}, _own_message_in_its_relationship, methods=("patch",)
    ),
    "api:message_delete": Rule(
        {**REL, **MESSAGE}, _own_message_in_its_relationship, methods=("delete",)
    ),
    "api:get_file": Rule(FILE, reach("read"), methods=("get",)),
    "api:get_file_content": Rule(FILE, reach("read"), methods=("get",)),
    "api:delete_file": Rule(FILE, change("read", "write"), methods=("delete",)),
    "api:list_share_links": Rule(FILE, change("read", "write"), methods=("get",)),
    "api:create_share_link": Rule(FILE, change("read", "write"), methods=("post",)),
    "api:revoke_share_link": Rule({"link_id": "share_link"}, reach("write"), methods=("delete",)),
    "api:me_export_status": Rule({"export_id": "export"}, reach("owner"), methods=("get",)),
    "api:me_export_link": Rule({"export_id": "export"}, reach("owner"), methods=("post",)),
    "api:withdraw_consent": Rule(
        {"purpose": "purpose"}, credential={"delete": 200}, methods=("delete",)
    ),
    "api:set_request_status": Rule(
        {"request_id": "data_request"}, change("readers", "officers"), methods=("patch",)
    ),
}

# One body that every API write accepts (each operation reads the fields it knows), so that
# validation passes and the access rules alone decide the answer.
API_BODY = {"title": "walk", "body": "walk", "slots": []}
API_METHODS = ("get", "post", "patch", "delete")


# --- the walk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """The URL patterns that share one route (an API path serves one operation per method)."""

    route: str
    endpoints: tuple[Endpoint, ...]

    @property
    def api(self) -> bool:
        return self.route.startswith("api/")

    def rule_for(self, method: str) -> tuple[str, Rule] | None:
        for endpoint in self.endpoints:
            rule = RULES[endpoint.name]
            if method in rule.methods:
                return endpoint.name, rule
        return None


def routes_with_parameters() -> list[Route]:
    grouped: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints():
        if endpoint.params or endpoint.error:
            grouped.setdefault(endpoint.route, []).append(endpoint)
    return [Route(route, tuple(found)) for route, found in grouped.items()]


def unfilled(world: World) -> list[str]:
    """Every pattern with parameters that the walk could not fill with real ids, and why."""
    problems = []
    for route in routes_with_parameters():
        for endpoint in route.endpoints:
            rule = RULES.get(endpoint.name)
            if endpoint.error:
                problems.append(f"{endpoint.name}: {endpoint.error}")
            elif rule is None:
                problems.append(f"{endpoint.name} ({endpoint.route}): no rule in RULES")
            elif set(rule.params) != {p.name for p in endpoint.params}:
                problems.append(f"{endpoint.name}: parameters {rule.params} do not match")
            elif not list(fillings(endpoint, rule, world)):
                problems.append(f"{endpoint.name}: no path built from real objects")
    return problems


def fillings(endpoint: Endpoint, rule: Rule, world: World):
    """Every combination of real objects for the pattern's parameters, as (things, path)."""
    kinds = [(name, world.things.get(kind, [])) for name, kind in rule.params.items()]
    for combo in itertools.product(*(things for _, things in kinds)):
        things = {name: thing for (name, _), thing in zip(kinds, combo, strict=True)}
        path = endpoint.build({name: thing.value for name, thing in things.items()})
        if endpoint.resolves_to_self(path):
            yield things, path


def _random_path(endpoint: Endpoint) -> str:
    values = {"uuid": str(uuid.uuid4()), "uuidstr": str(uuid.uuid4()), "int": "987654"}
    return endpoint.build({p.name: values.get(p.kind, "mentee") for p in endpoint.params})


class _Undo(Exception):
    pass


def _undone(send: Callable[[], object]):
    """Make the request, then roll back whatever it wrote, so every request meets the same
    world (a served "delete" must not hide the object from the next viewer)."""
    answer = []
    try:
        with transaction.atomic():
            answer.append(send())
            raise _Undo
    except _Undo:
        pass
    return answer[0]


def outcome(status: int) -> str:
    if status == 404:
        return HIDDEN
    if status == 403:
        return REFUSED
    if status == 405:
        return NOT_ALLOWED
    if status >= 500 or status == 401:
        return f"error {status}"
    return SERVED


@dataclass
class Walker:
    world: World
    viewer: str
    client: Client
    headers: dict
    bearer: bool = False
    problems: list[str] = field(default_factory=list)
    tried: int = 0
    not_allowed: dict = field(default_factory=dict)

    def ask(self, method: str, path: str, *, api: bool, data: dict | None = None, client=None):
        kwargs: dict = {"headers": self.headers}
        if method != "get":
            if api:
                kwargs.update(data=API_BODY, content_type="application/json")
            else:
                kwargs["data"] = data or {}
        return _undone(lambda: getattr(client or self.client, method)(path, **kwargs))

    def throwaway_client(self) -> Client:
        """A credential link may sign its holder out or in as someone else: each is opened in
        a session of its own, so the walk's session stays the viewer's."""
        if self.bearer:
            return Client(raise_request_exception=False)
        client = Client(raise_request_exception=False)
        client.force_login(self.world.people[self.viewer])
        return client

    def method_served(self, endpoint: Endpoint, method: str, api: bool, client=None) -> bool:
        """Whether the pattern serves ``method`` at all: asked once with made-up ids, since a
        405 is decided before any object is looked up."""
        key = (endpoint.route, method)
        if key not in self.not_allowed:
            answer = self.ask(method, _random_path(endpoint), api=api, client=client)
            self.not_allowed[key] = answer.status_code == 405
        return not self.not_allowed[key]

    def walk(self, route: Route) -> None:
        methods = API_METHODS if route.api else ("get", "post")
        for method in methods:
            found = route.rule_for(method)
            if found is None:
                self.expect_not_allowed(route, method)
                continue
            name, rule = found
            endpoint = next(e for e in route.endpoints if e.name == name)
            credential = rule.credential is not None
            if not self.method_served(
                endpoint, method, route.api, self.throwaway_client() if credential else None
            ):
                continue  # e.g. GET of a POST-only page: 405 for every id, it teaches nothing
            for things, path in fillings(endpoint, rule, self.world):
                data = rule.data(things, self.world) if rule.data else None
                client = self.throwaway_client() if credential else None
                response = self.ask(method, path, api=route.api, data=data, client=client)
                self.tried += 1
                self.judge(name, rule, method, path, things, response)

    def expect_not_allowed(self, route: Route, method: str) -> None:
        endpoint = route.endpoints[0]
        for _things, path in fillings(endpoint, RULES[endpoint.name], self.world):
            response = self.ask(method, path, api=route.api)
            self.tried += 1
            if response.status_code != 405:
                self.problems.append(f"{method.upper()} {path}: {response.status_code}, not 405")

    def judge(self, name, rule: Rule, method, path, things, response) -> None:
        labels = ", ".join(t.label for t in things.values())
        got = outcome(response.status_code)
        if rule.credential is not None:
            wanted = rule.credential.get(method)
            status = response.status_code
            if status != wanted and (wanted or status == 404 or status >= 500):
                self.problems.append(
                    f"{method.upper()} {path} [{name}] ({labels}): {status}, expected "
                    f"{wanted or 'the page'} as for anyone holding the link"
                )
            return
        assert rule.check is not None
        expected = rule.check(self.viewer, things)
        ok = got == expected
        if ok and expected == SERVED and method == "get":
            wanted = (302,) if rule.redirects else (200,)
            ok = response.status_code in wanted
        if not ok:
            where = f" to {response['Location']}" if response.has_header("Location") else ""
            self.problems.append(
                f"{method.upper()} {path} [{name}] ({labels}): got {response.status_code}"
                f"{where}, expected {expected}"
            )


def _csrf_token(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, f"{path} carries a CSRF token"
    return found.group(1)


def _sign_in(client: Client, user: User, world: World) -> str:
    """Sign in as a person does (password, then the second factor where the role has one),
    through the CSRF check; returns the CSRF token for the requests that follow."""
    token = _csrf_token(client, "/accounts/login/")
    form = {"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    response = client.post("/accounts/login/", form)
    assert response.status_code == 302, response.content[:300]
    if response["Location"].startswith("/accounts/2fa/authenticate"):
        token = _csrf_token(client, response["Location"])
        code = totp_code(world.totp[user.email])
        response = client.post(response["Location"], {"code": code, "csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.content[:300]
    # Managing passkeys asks for the password again, as allauth does before any MFA change.
    token = _csrf_token(client, "/accounts/reauthenticate/")
    response = client.post(
        "/accounts/reauthenticate/", {"password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302, response.content[:300]
    return _csrf_token(client, "/accounts/tokens/")


def test_every_url_pattern_with_parameters_is_filled_with_real_ids(world):
    problems = unfilled(world)
    assert not problems, "URL patterns the walk cannot fill with real ids:\n" + "\n".join(problems)
    stale = set(RULES) - {e.name for e in endpoints()}
    assert not stale, f"rules for URL patterns that no longer exist: {sorted(stale)}"


def test_a_new_url_pattern_without_a_rule_fails_the_walk(world, settings):
    """The check above can fail: a page added to a copy of the URLconf is reported unwalked."""
    settings.ROOT_URLCONF = "tests.security.leaky_urls"
    problems = unfilled(world)
    assert [p for p in problems if "leaky_program" in p and "no rule" in p], problems


def test_every_rule_serves_someone_and_hides_from_someone(world):
    """The table itself can fail: a rule nobody passes, or one everybody passes, would make the
    walk prove nothing about that URL."""
    problems = []
    for route in routes_with_parameters():
        for endpoint in route.endpoints:
            rule = RULES[endpoint.name]
            if rule.check is None:
                continue
            answers = {
                rule.check(viewer, things)
                for things, _path in fillings(endpoint, rule, world)
                for viewer in VIEWERS
            }
            if SERVED not in answers or HIDDEN not in answers:
                problems.append(f"{endpoint.name}: {sorted(answers)}")
    assert not problems


@pytest.mark.parametrize("who", VIEWERS)
def test_pages_answer_each_persona_as_the_rules_say(world, who):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    csrf = _sign_in(client, world.people[who], world)
    walker = Walker(world, who, client, {"X-CSRFToken": csrf})
    for route in routes_with_parameters():
        walker.walk(route)
    assert not walker.problems, f"{who}, signed in:\n" + "\n".join(walker.problems)
    assert walker.tried > 500
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == world.people[who].email


@pytest.mark.parametrize("who", VIEWERS)
def test_the_api_answers_each_persona_as_the_rules_say_with_a_token(world, who):
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {world.bearer[who]}"}
    walker = Walker(world, who, client, headers, bearer=True)
    for route in routes_with_parameters():
        if route.api:
            walker.walk(route)
    assert walker.tried > 100
    assert not walker.problems, f"{who}, with a token:\n" + "\n".join(walker.problems)


# --- pages without parameters ------------------------------------------------------------------

# Signing out is not a view of anyone's data; asking for it just ends the viewer's session.
SKIP_PARAMETERLESS = {"account_logout", "account_session_end"}


def _footprint(world: World, org: str) -> list[str]:
    """What a person outside ``org`` must never meet: the ids of everything in it, the names
    and addresses of its people, its organization's and programs' names."""
    values = [t.value for things in world.things.values() for t in things if t.org == org]
    members = DEMO_ROLES if org == "demo" else OTHER_ORG
    people = [world.people[name] for name in members]
    names = [p.display_name for p in people] + [p.email for p in people]
    organization = Organization.objects.get(slug="demo-org" if org == "demo" else "other-org")
    names += [organization.name, *organization.programs.values_list("name", flat=True)]
    return [v for v in values + names if len(v) > 3]


@pytest.mark.parametrize("who", VIEWERS)
def test_no_page_or_endpoint_mentions_the_other_organization(world, who):
    foreign = _footprint(world, "other" if who in DEMO_ROLES else "demo")
    client = Client(raise_request_exception=False)
    client.force_login(world.people[who])
    problems: list[str] = []
    read = 0
    for endpoint in endpoints():
        if endpoint.params or endpoint.name in SKIP_PARAMETERLESS:
            continue
        path = endpoint.build({})
        response = client.get(path, follow=True)
        read += 1
        body = response.content.decode(errors="replace")
        seen = [value for value in foreign if value in body]
        if seen or response.status_code >= 500:
            problems.append(f"GET {path} [{endpoint.name}] -> {response.status_code} {seen}")
    assert read >= 20
    assert client.get("/api/v1/me").status_code == 200, "the walk signed the viewer out"
    assert not problems, f"{who} saw the other organization:\n" + "\n".join(problems)


def test_org_admin_of_both_organizations_sees_both(client, world):
    """The isolation is by membership, not by accident: a person in both orgs sees both."""
    OrgMembership.objects.create(
        organization=world.people["outsider"].org_memberships.get().organization,
        user=world.people["org_admin"],
        role=OrgMembership.Role.ORG_ADMIN,
    )
    headers = {"Authorization": f"Bearer {world.bearer['org_admin']}"}
    items = client.get("/api/v1/programs", headers=headers).json()["items"]
    assert sorted(p["slug"] for p in items) == ["demo-2026", "other-2026"]
