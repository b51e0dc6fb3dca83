"""Demo data for ``make run``: personas a newcomer can sign in as, without a phone.

Idempotent: running it again changes nothing and prints the same logins. Passwords are random,
made on the first run and kept in ``var/demo-logins.json`` (mode 0600) so they stay the same.
Refused in production, where personas with printed passwords would be a hole.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program
from mentorhaven.programs.services import (
    membership_grant,
    org_role_grant,
    organization_create,
    program_create,
)


@dataclass(frozen=True)
class Persona:
    email: str
    name: str
    org: str  # organization slug
    org_role: str = OrgMembership.Role.MEMBER
    program_role: str | None = None
    program: str = "demo-2026"

    @property
    def needs_mfa(self) -> bool:
        return self.org_role != OrgMembership.Role.MEMBER or self.program_role in (
            Membership.Role.MENTOR,
            Membership.Role.PROGRAM_ADMIN,
        )


PERSONAS = [
    Persona("admin@demo.test", "Avery Admin", "demo-org", org_role=OrgMembership.Role.ORG_ADMIN),
    Persona(
        "coordinator@demo.test",
        "Corin Coordinator",
        "demo-org",
        program_role=Membership.Role.PROGRAM_ADMIN,
    ),
    Persona("ana.mentor@demo.test", "Ana Mentor", "demo-org", program_role=Membership.Role.MENTOR),
    Persona("ben.mentor@demo.test", "Ben Mentor", "demo-org", program_role=Membership.Role.MENTOR),
    Persona(
        "cara.mentee@demo.test", "Cara Mentee", "demo-org", program_role=Membership.Role.MENTEE
    ),
    Persona("dev.mentee@demo.test", "Dev Mentee", "demo-org", program_role=Membership.Role.MENTEE),
    Persona("auditor@demo.test", "Aud Auditor", "demo-org", org_role=OrgMembership.Role.AUDITOR),
    Persona(
        "security@demo.test",
        "Sec Officer",
        "demo-org",
        org_role=OrgMembership.Role.SECURITY_OFFICER,
    ),
    Persona(
        "outsider@other.test",
        "Olu Outsider",
        "other-org",
        program_role=Membership.Role.MENTEE,
        program="other-2026",
    ),
]

ORGANIZATIONS = {"demo-org": "Demo Org", "other-org": "Other Org"}
PROGRAMS = {
    "demo-2026": ("demo-org", "Demo Mentoring 2026"),
    "other-2026": ("other-org", "Other Org Mentoring"),
}


def _logins_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.json"


def _load_passwords() -> dict[str, str]:
    path = _logins_file()
    if path.exists():
        return json.loads(path.read_text())
    passwords = {p.email: f"demo-{secrets.token_urlsafe(9)}" for p in PERSONAS}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(passwords, fh, indent=2)
    return passwords


@transaction.atomic
def seed_demo() -> list[tuple[Persona, str]]:
    if settings.PRODUCTION:
        raise RuntimeError("Demo data is refused in production.")
    passwords = _load_passwords()
    orgs = {}
    for slug, name in ORGANIZATIONS.items():
        orgs[slug] = Organization.objects.filter(slug=slug).first() or organization_create(
            actor=None, name=name, slug=slug
        )
    programs = {}
    for slug, (org_slug, name) in PROGRAMS.items():
        programs[slug] = Program.objects.filter(slug=slug).first() or program_create(
            actor=None,
            organization=orgs[org_slug],
            name=name,
            slug=slug,
            settings={"min_group_size": 10},
        )
    result = []
    for persona in PERSONAS:
        password = passwords.setdefault(persona.email, f"demo-{secrets.token_urlsafe(9)}")
        user = User.objects.filter(email=persona.email).first()
        if user is None:
            user = User.objects.create_user(
                email=persona.email, password=password, display_name=persona.name
            )
        org_role_grant(actor=None, organization=orgs[persona.org], user=user, role=persona.org_role)
        if persona.program_role:
            membership_grant(
                actor=None, program=programs[persona.program], user=user, role=persona.program_role
            )
        if (
            persona.needs_mfa
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            mfa_enroll_totp(user=user)
        if persona.org_role == OrgMembership.Role.SECURITY_OFFICER:
            # The demo's security officer also works the data-protection request queue.
            from mentorhaven.consent.services import dpo_appoint

            dpo_appoint(actor=None, organization=orgs[persona.org], user=user)
        result.append((persona, password))
    from mentorhaven.mentoring.demo import seed_mentoring_demo

    seed_mentoring_demo()
    seed_matching_demo()
    return result


DEMO_TOPICS = [
    ("leadership", "leadership"),
    ("career", "career change"),
    ("python", "python"),
    ("speaking", "public speaking"),
    ("product", "product management"),
    ("balance", "work-life balance"),
]
DEMO_INDUSTRIES = ["finance", "health", "software", "public sector"]
DEMO_GOALS = [
    "grow into a team lead and learn to give feedback",
    "move from accounting into software development",
    "get better at presenting to senior leadership",
    "learn product discovery and roadmap planning",
    "find a sustainable pace and avoid burnout",
    "improve my python and data analysis skills",
]
EXTRA_MENTEES, EXTRA_MENTORS = 30, 10


def create_demo_questions(*, actor: User, program: Program, sensitive: bool = True) -> None:
    """The demo questionnaire: topics, industry, meeting style and (``sensitive``) gender."""
    from mentorhaven.matching.services import question_create

    question_create(
        actor=actor,
        program=program,
        kind="multi",
        prompt="What would you like to work on?",
        options=[{"value": v, "label": label} for v, label in DEMO_TOPICS],
    )
    question_create(
        actor=actor,
        program=program,
        kind="single",
        prompt="Which industry are you in?",
        options=DEMO_INDUSTRIES,
    )
    question_create(
        actor=actor,
        program=program,
        kind="scale",
        prompt="How structured do you like your meetings?",
        scale_min=1,
        scale_max=5,
        weight=0.5,
    )
    if sensitive:
        question_create(
            actor=actor,
            program=program,
            kind="single",
            prompt="Gender",
            options=["woman", "man", "non-binary"],
            sensitive=True,
            category="personal",
            weight=0.5,
        )


def seed_matching_demo() -> None:
    """A questionnaire for demo-2026 and a few dozen extra participants with answers, so that
    matching has something to do. Idempotent: questions are added only to a program without
    any, and the extra people only once (they cannot sign in: no password)."""
    import random

    from mentorhaven.matching.models import Question
    from mentorhaven.matching.services import questionnaire_submit

    program = Program.objects.get(slug="demo-2026")
    coordinator = User.objects.get(email="coordinator@demo.test")
    if not Question.objects.filter(program=program).exists():
        create_demo_questions(actor=coordinator, program=program)
    questions = list(Question.objects.filter(program=program))
    rng = random.Random(2026)  # noqa: S311 (repeatable demo answers, not a secret)
    for role, count in (("mentee", EXTRA_MENTEES), ("mentor", EXTRA_MENTORS)):
        for n in range(1, count + 1):
            email = f"{role}{n:02d}.extra@demo.test"
            if User.objects.filter(email=email).exists():
                continue
            user = User.objects.create_user(
                email=email, password=None, display_name=f"Demo {role.title()} {n:02d}"
            )
            membership_grant(actor=None, program=program, user=user, role=role)
            answers: dict[Any, Any] = {}
            for q in questions:
                if q.kind == "multi":
                    answers[q] = rng.sample(q.option_values, k=rng.randint(1, 3))
                elif q.kind == "single":
                    answers[q] = rng.choice(q.option_values)
                elif q.kind == "scale":
                    answers[q] = rng.randint(q.scale_min, q.scale_max)
            # Seven in ten consent to matching with sensitive answers; the others leave the
            # sensitive questions empty (they are never stored without consent).
            consents = rng.random() < 0.7
            if not consents:
                answers = {q: v for q, v in answers.items() if not q.sensitive}
            questionnaire_submit(
                actor=user,
                program=program,
                role=role,
                answers=answers,
                sensitive_consent=consents,
                headline=f"{rng.choice(DEMO_INDUSTRIES).title()} professional",
                goals=rng.choice(DEMO_GOALS),
                capacity=rng.randint(1, 3) if role == "mentor" else None,
            )


def current_totp_code(email: str) -> str:
    """The code a demo persona's authenticator app would show right now."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    from mentorhaven.accounts.mfa_adapter import secrets_of

    if settings.PRODUCTION:
        raise RuntimeError("Demo TOTP codes are refused in production.")
    user = User.objects.get(email=email.lower())
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    with secrets_of(user):
        secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
