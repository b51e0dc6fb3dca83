"""Run in a production-mode process (``python -m tests.web.production_world [PAIRS]``): create
PAIRS mentoring pairs (default 1) in the (already migrated) database, each with a shared note
and a small file, and print, as one JSON line, what a client needs to act as them: session
cookies, API tokens and the ids."""

from __future__ import annotations

import io
import json
import sys


def main(pairs: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from mentorhaven.accounts.models import User
    from mentorhaven.accounts.services import mfa_enroll_totp
    from mentorhaven.accounts.tokens import api_token_create
    from mentorhaven.files.services import file_upload
    from mentorhaven.gates.domain import QUIZ
    from mentorhaven.gates.services import training_submit
    from mentorhaven.mentoring.services import (
        note_create,
        relationship_accept,
        relationship_propose,
    )
    from mentorhaven.messaging.services import conversation_for_relationship
    from mentorhaven.programs.models import Membership, OrgMembership, Program
    from mentorhaven.programs.services import organization_create

    SessionStore = import_string(f"{settings.SESSION_ENGINE}.SessionStore")

    def cookie(user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    org = organization_create(actor=None, name="Production check", slug="production-check")
    program = Program.objects.create(organization=org, name="Pilot", slug="pilot")
    admin = User.objects.create_user(email="admin@prod.test", display_name="Admin")
    Membership.objects.create(program=program, user=admin, role="program_admin")
    answers = {q.key: q.correct for q in QUIZ}
    world = []
    for i in range(pairs):
        mentor = User.objects.create_user(email=f"mentor{i}@prod.test", display_name=f"Mentor {i}")
        mentee = User.objects.create_user(email=f"mentee{i}@prod.test", display_name=f"Mentee {i}")
        mfa_enroll_totp(user=mentor)  # mentors reach a mentee's data only with a second factor
        passed, _score = training_submit(actor=mentor, answers=answers)
        assert passed  # ... and a current security training
        for user, role in ((mentor, "mentor"), (mentee, "mentee")):
            OrgMembership.objects.create(organization=org, user=user)
            Membership.objects.create(program=program, user=user, role=role)
        rel = relationship_propose(actor=admin, program=program, mentee=mentee, mentor=mentor)
        relationship_accept(actor=mentee, relationship=rel)
        rel = relationship_accept(actor=mentor, relationship=rel)
        conversation = conversation_for_relationship(actor=mentee, relationship=rel)
        note_create(actor=mentor, relationship=rel, body=f"Agenda {i}", shared=True)
        stored = file_upload(
            actor=mentee,
            fileobj=io.BytesIO(b"notes from our first meeting\n" * 200),
            declared_name="first-meeting.txt",
            relationship=rel,
        )
        tokens = {
            role: api_token_create(actor=user, user=user, name="check", scope="write")[1]
            for role, user in (("mentor", mentor), ("mentee", mentee))
        }
        world.append(
            {
                "relationship": str(rel.public_id),
                "conversation": str(conversation.public_id),
                "file": str(stored.public_id),
                "mentor_cookie": cookie(mentor),
                "mentee_cookie": cookie(mentee),
                "mentor_token": tokens["mentor"],
                "mentee_token": tokens["mentee"],
            }
        )
    print(json.dumps(world))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
