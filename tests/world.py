"""A whole program to measure pages against: people in every role, volume around them, and the
content the pages show.

``build_world(participants=...)`` makes one organization with one program of that many
participants (four mentees to a mentor), most of them matched, with questionnaire answers,
invitations and a draft matching run; and named people — a mentee and her mentor with a full
relationship (goals, meetings, notes, messages, files), a mentee still waiting for a match, and
every admin role — who sign in with ``PASSWORD`` (staff with the TOTP secret in
``world.totp_secrets``). ``grow(world, participants=...)`` adds more of everything, for tests
that compare a small program with a large one.

Volume (people, memberships, relationships, invitations) comes from the factory_boy
factories of tests/factories.py; whatever a
page decrypts or audits goes through the services, so it is sealed and recorded as in
production. Used by tests/web/test_page_queries.py and benchmarks/bench_pages.py.
"""

from __future__ import annotations

import io
import itertools
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from mentorhaven.accounts.models import ApiToken, User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.community.models import Event, Registration, Survey
from mentorhaven.community.services import (
    event_create,
    registration_create,
    survey_create,
    survey_respond,
)
from mentorhaven.consent.models import DataRequest
from mentorhaven.consent.services import data_request_create, dpo_appoint
from mentorhaven.files.models import StoredFile
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.gates.models import AgreementAcceptance, AgreementVersion, BreakGlassGrant
from mentorhaven.gates.services import agreement_publish, breakglass_approve, breakglass_request
from mentorhaven.incidents.models import Incident
from mentorhaven.incidents.services import incident_open
from mentorhaven.library.models import Resource
from mentorhaven.library.services import resource_create
from mentorhaven.matching.models import MatchRun, Question
from mentorhaven.matching.services import match_run_create, question_create, questionnaire_submit
from mentorhaven.mentoring import services as mentoring
from mentorhaven.mentoring.models import Goal, Meeting, Note, Relationship
from mentorhaven.messaging.models import Conversation, Message, Notification, Report
from mentorhaven.messaging.services import (
    conversation_for_relationship,
    message_send,
    report_create,
)
from mentorhaven.privacy.models import ExportJob
from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrgMembershipFactory,
    PersonFactory,
    RelationshipFactory,
)

PASSWORD = "correct horse battery staple 42"
MENTEES_PER_MENTOR = 4
STAFF = ("mentor", "program_admin", "org_admin", "auditor", "security_officer", "second_admin")
_serial = itertools.count(1)


@dataclass
class World:
    org: Organization
    program: Program
    people: dict[str, User]
    totp_secrets: dict[str, str] = field(default_factory=dict)
    relationship: Relationship | None = None  # mentee <-> mentor, full of content
    conversation: Conversation | None = None
    own_message: Message | None = None  # written by the mentee
    their_message: Message | None = None  # written by the mentor
    note: Note | None = None  # the mentor's
    meeting: Meeting | None = None
    goal: Goal | None = None
    file: StoredFile | None = None
    run: MatchRun | None = None
    report: Report | None = None
    notification: Notification | None = None
    token: ApiToken | None = None
    incident: Incident | None = None
    export: ExportJob | None = None  # the mentee's, waiting to be built
    data_request: DataRequest | None = None  # the mentee's, for the security officer as DPO
    agreement: AgreementVersion | None = None  # published; every participant accepted it
    grant: BreakGlassGrant | None = None  # org_admin asked, second_admin approved
    event: Event | None = None  # published by the program admin; the mentee registered
    survey: Survey | None = (
        None  # confidential, published by the program admin; the mentee answered
    )
    resource: Resource | None = None  # a video in the library, for everyone in the program
    participants: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(2026))


# --- people ---------------------------------------------------------------------------------


def _person(world: World, key: str, name: str) -> User:
    user = User.objects.create_user(
        email=f"{key.replace('_', '.')}@world.test", password=PASSWORD, display_name=name
    )
    OrgMembershipFactory(organization=world.org, user=user)
    world.people[key] = user
    return user


def _named_people(world: World) -> None:
    program, org = world.program, world.org
    for key, name, role in (
        ("mentee", "Mia Mentee", Membership.Role.MENTEE),
        ("waiting_mentee", "Wes Waiting", Membership.Role.MENTEE),
        ("mentor", "Max Mentor", Membership.Role.MENTOR),
        ("program_admin", "Pat Programme", Membership.Role.PROGRAM_ADMIN),
    ):
        MembershipFactory(program=program, user=_person(world, key, name), role=role)
    for key, name, role in (
        ("org_admin", "Ora Admin", OrgMembership.Role.ORG_ADMIN),
        ("auditor", "Aud Auditor", OrgMembership.Role.AUDITOR),
        ("security_officer", "Sec Officer", OrgMembership.Role.SECURITY_OFFICER),
        ("second_admin", "Sol Secondadmin", OrgMembership.Role.ORG_ADMIN),
    ):
        OrgMembershipFactory(organization=org, user=_person(world, key, name), role=role)
    for key in STAFF:
        world.totp_secrets[key] = mfa_enroll_totp(user=world.people[key])
    world.participants = 3


def _questions(world: World) -> None:
    admin, program = world.people["program_admin"], world.program
    topics = [("leadership", "leadership"), ("career", "career change"), ("python", "python")]
    question_create(
        actor=admin,
        program=program,
        kind="multi",
        prompt="What would you like to work on?",
        options=[{"value": v, "label": label} for v, label in topics],
    )
    question_create(
        actor=admin,
        program=program,
        kind="single",
        prompt="Which industry are you in?",
        options=["finance", "health", "software"],
    )
    question_create(
        actor=admin,
        program=program,
        kind="single",
        prompt="Gender",
        options=["woman", "man", "non-binary"],
        sensitive=True,
        category="personal",
        weight=0.5,
    )


def _answer(world: World, user: User, role: str) -> None:
    rng = world.rng
    answers = {}
    questions = list(Question.objects.filter(program=world.program))
    for q in questions:
        if q.kind == "multi":
            answers[q] = rng.sample(q.option_values, k=rng.randint(1, 2))
        else:
            answers[q] = rng.choice(q.option_values)
    questionnaire_submit(
        actor=user,
        program=world.program,
        role=role,
        answers=answers,
        sensitive_consent=any(q.sensitive for q in questions),
        headline="Software professional",
        goals="grow into a team lead and learn to give feedback",
        capacity=MENTEES_PER_MENTOR + 1 if role == "mentor" else None,
    )


def _participants(world: World, count: int) -> None:
    """``count`` more people: one mentor to four mentees, each mentee of a full group matched
    (a few only proposed, a few matches already over), all with questionnaire answers."""
    program, org = world.program, world.org
    mentors = max(1, count // (MENTEES_PER_MENTOR + 1))
    for _ in range(mentors):
        mentor = PersonFactory()
        OrgMembershipFactory(organization=org, user=mentor)
        MembershipFactory(program=program, user=mentor, role=Membership.Role.MENTOR)
        _answer(world, mentor, "mentor")
        for n in range(MENTEES_PER_MENTOR):
            mentee = PersonFactory()
            OrgMembershipFactory(organization=org, user=mentee)
            MembershipFactory(program=program, user=mentee, role=Membership.Role.MENTEE)
            _answer(world, mentee, "mentee")
            if n == MENTEES_PER_MENTOR - 1 and world.rng.random() < 0.5:
                continue  # still waiting for a match
            status = world.rng.choices(
                [
                    Relationship.Status.ACTIVE,
                    Relationship.Status.PROPOSED,
                    Relationship.Status.COMPLETED,
                ],
                weights=[8, 1, 1],
            )[0]
            RelationshipFactory(program=program, mentee=mentee, mentor=mentor, status=status)
    InvitationFactory.create_batch(
        max(1, count // 10),
        organization=org,
        program=program,
        invited_by=world.people["program_admin"],
    )
    world.participants += mentors * (MENTEES_PER_MENTOR + 1)


# --- content --------------------------------------------------------------------------------


def _content(world: World, rounds: int) -> None:
    """``rounds`` more of everything in the mentee's relationship with her mentor."""
    mentee, mentor = world.people["mentee"], world.people["mentor"]
    relationship = world.relationship
    assert relationship is not None
    now = timezone.now()
    for n in range(rounds):
        goal = mentoring.goal_create(
            actor=mentee,
            relationship=relationship,
            title=f"Goal {n}: lead a project",
            description="Plan and run the migration with two colleagues.",
        )
        mentoring.milestone_add(actor=mentee, goal=goal, title="First draft")
        mentoring.goal_progress_add(actor=mentee, goal=goal, body="Wrote the plan.")
        world.goal = goal
        slot = (now + timedelta(days=3 + n)).replace(minute=0, second=0, microsecond=0)
        meeting = mentoring.meeting_propose(
            actor=mentee,
            relationship=relationship,
            slots=[slot],
            location="Video call",
            agenda="Talk through the first steps",
        )
        world.meeting = mentoring.meeting_accept(actor=mentor, meeting=meeting, starts_at=slot)
        world.note = mentoring.note_create(
            actor=mentor, relationship=relationship, shared=True, body="Good start."
        )
        mentoring.note_create(
            actor=mentee, relationship=relationship, shared=False, body="Ask about workload."
        )
        world.file = file_upload(
            actor=mentee,
            fileobj=io.BytesIO(b"My draft plan, version %d.\n" % n),
            declared_name=f"plan-{n}.txt",
            relationship=relationship,
        )
        share_link_create(actor=mentee, file=world.file, expires_in_days=7)
        conversation = world.conversation
        assert conversation is not None
        for i in range(5):
            world.own_message = message_send(
                actor=mentee, conversation=conversation, body=f"Could we meet on Thursday? {i}"
            )
            world.their_message = message_send(
                actor=mentor, conversation=conversation, body=f"Thursday works for me. {i}"
            )
    world.notification = Notification.objects.filter(user=mentee).order_by("-pk").first()


def _other_content(world: World, relationships: int) -> None:
    """A goal, a meeting and a note in ``relationships`` other active relationships, so that
    admin figures count something."""
    others = (
        Relationship.objects.filter(program=world.program, status=Relationship.Status.ACTIVE)
        .exclude(pk=world.relationship.pk if world.relationship else None)
        .select_related("mentee", "mentor")
        .order_by("-pk")[:relationships]
    )
    slot = (timezone.now() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    for relationship in others:
        mentoring.goal_create(actor=relationship.mentee, relationship=relationship, title="Grow")
        meeting = mentoring.meeting_propose(
            actor=relationship.mentee, relationship=relationship, slots=[slot]
        )
        mentoring.meeting_accept(actor=relationship.mentor, meeting=meeting, starts_at=slot)
        mentoring.note_create(actor=relationship.mentor, relationship=relationship, body="Notes.")


# --- the world ------------------------------------------------------------------------------


def build_world(*, participants: int = 20, content: int = 2) -> World:
    """A program of about ``participants`` people (see the module docstring)."""
    org = Organization.objects.create(name="World Org", slug=f"world-{next(_serial)}")
    program = Program.objects.create(
        organization=org, name="World 2026", slug=f"world-{next(_serial)}"
    )
    world = World(org=org, program=program, people={})
    _named_people(world)
    _questions(world)
    for key, role in (("mentee", "mentee"), ("waiting_mentee", "mentee"), ("mentor", "mentor")):
        _answer(world, world.people[key], role)
    admin, mentee, mentor = (world.people[k] for k in ("program_admin", "mentee", "mentor"))
    relationship = mentoring.relationship_propose(
        actor=admin, program=program, mentee=mentee, mentor=mentor
    )
    mentoring.relationship_accept(actor=mentee, relationship=relationship)
    relationship = mentoring.relationship_accept(actor=mentor, relationship=relationship)
    world.relationship = relationship
    world.conversation = conversation_for_relationship(actor=mentee, relationship=relationship)
    _participants(world, max(0, participants - world.participants))
    _content(world, content)
    _other_content(world, max(1, participants // 50))
    world.run = match_run_create(actor=admin, program=program)
    assert world.their_message is not None
    world.report = report_create(
        actor=mentee, reason=Report.Reason.OTHER, note="Checking", message=world.their_message
    )
    world.token, _secret = api_token_create(actor=mentee, user=mentee, name="laptop", scope="read")
    # A row as the request leaves it (the build is the task's): the page shows its progress.
    world.export = ExportJob.objects.create(user=mentee)
    dpo_appoint(actor=None, organization=world.org, user=world.people["security_officer"])
    world.data_request = data_request_create(
        actor=mentee, kind="correction", details="My headline is out of date"
    )
    _gates(world)
    _community(world)
    _library(world)
    world.incident = incident_open(
        actor=world.people["security_officer"],
        organization_id=world.org.public_id,
        severity="medium",
        description="A laptop with a signed-in session was lost",
        account_email=world.people["mentor"].email,
    )
    return world


def _gates(world: World) -> None:
    """The program's confidentiality agreement (accepted by everyone in it, as after
    onboarding) and a break-glass grant on the named relationship, approved by a second admin."""
    admin, second = world.people["org_admin"], world.people["second_admin"]
    world.agreement = agreement_publish(
        actor=admin, program=world.program, text="What is said in mentoring stays in mentoring."
    )
    _accept_agreement(world)
    assert world.relationship is not None
    grant = breakglass_request(
        actor=admin,
        organization=world.org,
        subject=world.people["mentee"],
        relationship=world.relationship,
        reason=BreakGlassGrant.Reason.SAFEGUARDING,
        justification="A safeguarding report about this relationship must be checked.",
        hours=24,
    )
    world.grant = breakglass_approve(actor=second, grant=grant)


def _community(world: World) -> None:
    """A program event the mentee registered for, and a confidential survey she answered."""
    admin, mentee = world.people["program_admin"], world.people["mentee"]
    starts = timezone.now() + timedelta(days=3)
    world.event = event_create(
        actor=admin, program=world.program, format="in_person", title="Spring meetup",
        description="", place="Hall 2", link="", starts_at=starts,
        ends_at=starts + timedelta(hours=2), capacity=None,
    )  # fmt: skip
    registration_create(actor=mentee, event=world.event, show_me=True)
    world.survey = survey_create(
        actor=admin, program=world.program, title="Mid-cycle", mode="confidential",
        questions=[{"kind": "scale", "prompt": "How is it going?"}],
    )  # fmt: skip
    question = str(world.survey.questions.get().public_id)
    survey_respond(actor=mentee, survey=world.survey, answers={question: 4})


def _library(world: World) -> None:
    """A short video in the program's library, for everyone (a structurally valid MP4)."""
    payload = bytes(range(256)) * 64
    video = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08moov"
    video += (len(payload) + 8).to_bytes(4, "big") + b"mdat" + payload
    world.resource = resource_create(
        actor=world.people["program_admin"], program=world.program, kind="video",
        audience="all", title="Welcome to the program", tags="welcome",
        fileobj=io.BytesIO(video), declared_name="welcome.mp4",
    )  # fmt: skip


def _more_registrations(world: World) -> None:
    """Everyone in the program registered for the event (plain rows, for volume)."""
    if world.event is None:
        return
    done = Registration.objects.filter(event=world.event).values("user_id")
    Registration.objects.bulk_create(
        Registration(event=world.event, user_id=user_id, status="registered", show_me=True)
        for user_id in Membership.objects.filter(program=world.program)
        .exclude(user_id__in=done)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _accept_agreement(world: World) -> None:
    """Everyone in the program has accepted the current agreement (plain rows, for volume)."""
    version = world.agreement
    if version is None:
        return
    done = AgreementAcceptance.objects.filter(version=version).values("user_id")
    AgreementAcceptance.objects.bulk_create(
        AgreementAcceptance(version=version, user_id=user_id, text_sha256=version.text_sha256)
        for user_id in Membership.objects.filter(program=world.program)
        .exclude(user_id__in=done)
        .values_list("user_id", flat=True)
        .distinct()
    )


def grow(world: World, *, participants: int, content: int = 3) -> None:
    """More of everything: people, relationships, answers, invitations, the named people's own
    content, other relationships' content, and another matching run."""
    _participants(world, participants)
    _accept_agreement(world)
    _more_registrations(world)
    _content(world, content)
    _other_content(world, max(1, participants // 50))
    world.run = match_run_create(actor=world.people["program_admin"], program=world.program)
    assert world.their_message is not None
    world.report = report_create(
        actor=world.people["mentee"], reason=Report.Reason.SPAM, message=world.their_message
    )


def find_world() -> World:
    """The world ``build_world`` left in this database (for a benchmark run that reuses it)."""
    from allauth.mfa.utils import decrypt

    from mentorhaven.accounts.mfa_adapter import secrets_of
    from mentorhaven.mentoring.models import Meeting

    program = Program.objects.select_related("organization").get(name="World 2026")
    keys = ("mentee", "waiting_mentee", "mentor", "program_admin", "org_admin", "auditor")
    people = {
        key: User.objects.get(email=f"{key.replace('_', '.')}@world.test")
        for key in dict.fromkeys((*keys, *STAFF))
    }
    world = World(org=program.organization, program=program, people=people)
    for key in STAFF:
        with secrets_of(people[key]):
            totp = people[key].authenticator_set.get(type="totp")
            world.totp_secrets[key] = decrypt(totp.data["secret"])
    mentee, mentor = people["mentee"], people["mentor"]
    world.relationship = Relationship.objects.get(program=program, mentee=mentee, mentor=mentor)
    world.conversation = Conversation.objects.get(relationship=world.relationship)
    messages = Message.objects.filter(conversation=world.conversation).order_by("-seq")
    world.own_message = messages.filter(author=mentee).first()
    world.their_message = messages.filter(author=mentor).first()
    world.note = Note.objects.filter(author=mentor).order_by("-pk").first()
    world.meeting = Meeting.objects.filter(relationship=world.relationship).order_by("-pk").first()
    world.goal = Goal.objects.filter(relationship=world.relationship).order_by("-pk").first()
    world.file = StoredFile.objects.filter(uploader=mentee).order_by("-pk").first()
    world.run = MatchRun.objects.filter(program=program).order_by("-pk").first()
    world.report = Report.objects.filter(program=program).order_by("-pk").first()
    world.notification = Notification.objects.filter(user=mentee).order_by("-pk").first()
    world.token = ApiToken.objects.filter(user=mentee).first()
    world.export = ExportJob.objects.filter(user=mentee).order_by("-pk").first()
    world.data_request = DataRequest.objects.filter(requester=mentee).order_by("-pk").first()
    world.incident = Incident.objects.filter(organization=world.org).order_by("-pk").first()
    world.agreement = AgreementVersion.objects.filter(program=program).order_by("-pk").first()
    world.grant = BreakGlassGrant.objects.filter(organization=world.org).order_by("-pk").first()
    world.event = Event.objects.filter(program=program).order_by("-pk").first()
    world.survey = Survey.objects.filter(program=program).order_by("-pk").first()
    world.resource = Resource.objects.filter(program=program).order_by("-pk").first()
    world.participants = (
        Membership.objects.filter(program=program)
        .exclude(role=Membership.Role.PROGRAM_ADMIN)
        .count()
    )
    return world
