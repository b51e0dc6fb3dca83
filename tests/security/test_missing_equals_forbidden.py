"""Missing and forbidden look the same, wherever a client names a person or an object.

For every place where a client supplies an id — in the path, a form field or an API body — the
answer for a real id of something the viewer may not reach (another organization's person,
relationship, conversation, message, report, file, share link, exclusion, match run or pair,
invitation, program) must equal the answer for a random UUID: same status, same redirect, same
flashed messages, same body once the id itself and per-request tokens are blanked out. Both must
also cost the same number of database queries, so the refusal is decided the same way and its
timing does not tell one case from the other.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentorhaven.accounts.models import User
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.matching.models import Exclusion, MatchPair
from mentorhaven.matching.services import exclusion_add, match_run_create
from mentorhaven.mentoring.services import relationship_accept, relationship_propose
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.messaging.services import report_create as report_create_service
from mentorhaven.programs.models import Invitation, Membership, OrgMembership
from mentorhaven.programs.services import invitation_create

pytestmark = pytest.mark.django_db

NOTE = b"Notes for our next meeting.\n"


@pytest.fixture(autouse=True)
def _file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _active(admin, program, mentee, mentor):
    relationship = relationship_propose(actor=admin, program=program, mentee=mentee, mentor=mentor)
    relationship_accept(actor=mentee, relationship=relationship)
    return relationship_accept(actor=mentor, relationship=relationship)


def _member(org, program, email: str, name: str, role: str) -> User:
    user = User.objects.create_user(email=email, password=None, display_name=name)
    OrgMembership.objects.create(organization=org, user=user)
    Membership.objects.create(program=program, user=user, role=role)
    return user


def _pair(run, mentee, mentor) -> MatchPair:
    """The run's pair for ``mentee`` (the run may have made it already)."""
    return MatchPair.objects.get_or_create(run=run, mentee=mentee, defaults={"mentor": mentor})[0]


@dataclass
class World:
    """Demo Org's own objects, and Other Org's: what Demo Org's people must not tell apart
    from nothing at all."""

    own: dict
    other: dict


@pytest.fixture
def world(personas) -> World:
    p = personas
    # Other Org: a mentor and a program admin beside the outsider (a mentee), and one of each
    # kind of object, made through the real services.
    olga = _member(p.other_org, p.other_program, "olga@other.test", "Olga Other", "mentor")
    oscar = _member(p.other_org, p.other_program, "oscar@other.test", "Oscar Other", "mentor")
    Membership.objects.filter(user=oscar).update(role=Membership.Role.PROGRAM_ADMIN)
    OrgMembership.objects.filter(user=oscar).update(role=OrgMembership.Role.ORG_ADMIN)
    other_rel = _active(oscar, p.other_program, p.outsider, olga)
    other_conv = conversation_for_relationship(actor=p.outsider, relationship=other_rel)
    other_msg = message_send(actor=olga, conversation=other_conv, body="Olga's words")
    other_report = report_create_service(actor=p.outsider, reason="other", message=other_msg)
    other_file = file_upload(
        actor=p.outsider, fileobj=io.BytesIO(NOTE), declared_name="n.txt", relationship=other_rel
    )
    other_link, _token = share_link_create(actor=p.outsider, file=other_file)
    other_exclusion = exclusion_add(
        actor=p.outsider,
        program=p.other_program,
        person=p.outsider,
        other=olga,
        kind=Exclusion.Kind.NOT_THIS_PERSON,
    )
    other_run = match_run_create(actor=oscar, program=p.other_program)
    other_pair = _pair(other_run, p.outsider, olga)
    invitation_create(
        actor=oscar, organization=p.other_org, email="new@other.test", program=p.other_program,
        program_role="mentee",
    )  # fmt: skip
    # Demo Org: Ana mentors Cara (a conversation to name people in), a draft run with a pair.
    own_rel = _active(p.coordinator, p.program, p.cara, p.ana)
    own_conv = conversation_for_relationship(actor=p.cara, relationship=own_rel)
    own_run = match_run_create(actor=p.coordinator, program=p.program)
    own_pair = _pair(own_run, p.dev, p.ben)
    return World(
        own={"rel": own_rel, "conv": own_conv, "run": own_run, "pair": own_pair},
        other={
            "olga": olga,
            "outsider": p.outsider,
            "org": p.other_org,
            "program": p.other_program,
            "rel": other_rel,
            "conv": other_conv,
            "msg": other_msg,
            "report": other_report,
            "file": other_file,
            "link": other_link,
            "exclusion": other_exclusion,
            "run": other_run,
            "pair": other_pair,
            "invitation": Invitation.objects.get(organization=p.other_org),
        },
    )


# Each case: who asks, how, and where the id goes ({id}); ``target`` names the other
# organization's object whose real id is tried against a random one.
@dataclass(frozen=True)
class Case:
    name: str
    viewer: str
    method: str
    url: str
    target: str
    data: dict | None = None
    api: bool = False

    def __str__(self) -> str:
        return self.name


P, RUN, CONV, PAIR = "{program}", "{own_run}", "{own_conv}", "{own_pair}"
CASES = [
    # Matching: people named in form fields.
    Case("mentor request", "dev", "post", f"/matching/programs/{P}/request/", "olga",
         {"mentor": "{id}"}),
    Case("mentor request naming a mentee", "dev", "post", f"/matching/programs/{P}/request/",
         "outsider", {"mentor": "{id}"}),
    Case("pair add: mentee", "coordinator", "post", f"/matching/runs/{RUN}/pairs/", "outsider",
         {"mentee": "{id}", "mentor": "{ben}"}),
    Case("pair add: mentor", "coordinator", "post", f"/matching/runs/{RUN}/pairs/", "olga",
         {"mentee": "{cara}", "mentor": "{id}"}),
    Case("pair swap", "coordinator", "post", f"/matching/pairs/{PAIR}/swap/", "pair",
         {"other": "{id}"}),
    Case("manager exclusion", "coordinator", "post", f"/matching/programs/{P}/managers/",
         "outsider", {"mentee": "{id}", "mentor": "{ana}"}),
    Case("not this person", "dev", "post", f"/matching/programs/{P}/exclusions/", "olga",
         {"person": "{id}"}),
    Case("exclusion remove", "dev", "post", "/matching/exclusions/{id}/remove/", "exclusion"),
    Case("match run page", "coordinator", "get", "/matching/runs/{id}/", "run"),
    Case("program runs", "coordinator", "get", "/matching/programs/{id}/runs/", "program"),
    Case("program overview", "coordinator", "get", "/relationships/program/{id}/", "program"),
    # Invitations.
    Case("invitations of an organization", "org_admin", "get", "/programs/o/{id}/invitations/",
         "org"),
    Case("invitation revoke", "org_admin", "post", "/programs/invitations/{id}/revoke/",
         "invitation"),
    # Relationships and conversations.
    Case("relationship page", "cara", "get", "/relationships/{id}/", "rel"),
    Case("conversation creation", "cara", "get", "/messages/relationship/{id}/", "rel"),
    Case("conversation page", "cara", "get", "/messages/c/{id}/", "conv"),
    Case("message search", "cara", "get", "/messages/c/{id}/search/?q=hello", "conv"),
    # Safety: reports and blocks.
    Case("report a person", "cara", "post", f"/messages/c/{CONV}/people/{{id}}/report/", "olga",
         {"reason": "other"}),
    Case("block a person", "cara", "post", f"/messages/c/{CONV}/people/{{id}}/block/", "olga"),
    Case("report a message", "cara", "post", "/messages/m/{id}/report/", "msg",
         {"reason": "other"}),
    Case("safety report page", "coordinator", "get", "/messages/reports/{id}/", "report"),
    # Files and share links.
    Case("file page", "cara", "get", "/files/{id}/", "file"),
    Case("share link revoke", "cara", "post", "/files/share-links/{id}/revoke/", "link"),
    # The API.
    Case("api relationship", "cara", "get", "/api/v1/relationships/{id}", "rel", api=True),
    Case("api send message", "cara", "post", "/api/v1/relationships/{id}/messages", "rel",
         {"body": "hello"}, api=True),
    Case("api upload into a relationship", "cara", "post", "/api/v1/files", "rel",
         {"relationship": "{id}"}, api=True),
    Case("api file", "cara", "get", "/api/v1/files/{id}", "file", api=True),
    Case("api share link revoke", "cara", "delete", "/api/v1/share-links/{id}", "link", api=True),
    Case("api program", "cara", "get", "/api/v1/programs/{id}", "program", api=True),
    Case("api publish a run", "coordinator", "post", "/api/v1/programs/match-runs/{id}/publish",
         "run", api=True),
]  # fmt: skip


def _fill(template: str, world: World, personas, target_id: str) -> str:
    values = {
        "id": target_id,
        "program": personas.program.public_id,
        "own_run": world.own["run"].public_id,
        "own_conv": world.own["conv"].public_id,
        "own_pair": world.own["pair"].public_id,
        "ana": personas.ana.public_id,
        "ben": personas.ben.public_id,
        "cara": personas.cara.public_id,
    }
    return template.format(**{k: str(v) for k, v in values.items()})


TOKEN_LIKE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), "csrf"),
    (re.compile(r'nonce="[^"]*"'), "nonce"),
    (re.compile(r'"X-CSRFToken": "[^"]*"'), "csrf"),
]


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    content_type: str
    flashed: tuple[str, ...]
    body: str
    queries: int


def _ask(client, case: Case, world: World, personas, target_id: str, headers: dict) -> Answer:
    url = _fill(case.url, world, personas, target_id)
    data = {k: _fill(v, world, personas, target_id) for k, v in (case.data or {}).items()}
    kwargs: dict = {"headers": headers}
    if case.api and case.method == "post" and "relationship" in data:
        data["file"] = SimpleUploadedFile("n.txt", NOTE, content_type="text/plain")
        kwargs["data"] = data
    elif case.api and data:
        kwargs.update(data=data, content_type="application/json")
    elif data:
        kwargs["data"] = data
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, case.method)(url, **kwargs)
    body = response.content.decode(errors="replace").replace(target_id, "<id>")
    for pattern, blank in TOKEN_LIKE:
        body = pattern.sub(blank, body)
    flashed = tuple(str(m) for m in get_messages(response.wsgi_request))
    return Answer(
        status=response.status_code,
        location=response.get("Location", "").replace(target_id, "<id>"),
        content_type=response.get("Content-Type", ""),
        flashed=flashed,
        body=body,
        queries=len(queries),
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_real_id_out_of_reach_answers_like_a_random_one(case, world, personas, login, client):
    viewer = getattr(personas, case.viewer)
    headers: dict = {}
    if case.api:
        _token, secret = api_token_create(actor=viewer, user=viewer, name="t", scope="write")
        headers = {"Authorization": f"Bearer {secret}"}
    else:
        login(viewer)
    real = str(world.other[case.target].public_id)
    # A first request warms what every request loads once (the session, the viewer's roles), so
    # the two compared below do the same work when the code takes the same path.
    _ask(client, case, world, personas, str(uuid.uuid4()), headers)
    forbidden = _ask(client, case, world, personas, real, headers)
    missing = _ask(client, case, world, personas, str(uuid.uuid4()), headers)
    assert forbidden.status in (302, 404), forbidden  # refused, not served
    assert forbidden == missing


def test_the_comparison_tells_a_different_answer_apart(world, personas, login, client):
    # The same machinery sees a difference where there is one: a visible person (Ana, a mentor
    # of Dev's program) is not answered like a random id.
    login(personas.dev)
    case = CASES[0]
    visible = _ask(client, case, world, personas, str(personas.ana.public_id), {})
    missing = _ask(client, case, world, personas, str(uuid.uuid4()), {})
    assert visible.status == 302 and missing.status == 404


def test_bulk_invitations_treat_another_organizations_program_as_unknown(personas, login, client):
    login(personas.org_admin)
    url = f"/programs/o/{personas.org.public_id}/invitations/bulk/"
    client.get(url)  # shows (and so clears) the "signed in" message
    answers = []
    for slug in (personas.other_program.slug, "no-such-program"):
        csv = f"email,role,program\nnew.person@demo.test,mentee,{slug}\n".encode()
        response = client.post(url, {"file": SimpleUploadedFile("i.csv", csv)})
        body = response.content.decode()
        for pattern, blank in TOKEN_LIKE:
            body = pattern.sub(blank, body)
        answers.append((response.status_code, body.replace(slug, "<slug>")))
    assert answers[0][0] == 422
    assert answers[0] == answers[1]
