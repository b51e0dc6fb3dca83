"""Run in a production-mode process (``python -m tests.web.production_world``): create one
mentoring pair in the (already migrated) database and print, as JSON, what the production test
needs to act as them: the mentor's session cookie, the mentee's API token, the ids."""

from __future__ import annotations

import json


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from mentorhaven.accounts.models import User
    from mentorhaven.accounts.services import mfa_enroll_totp
    from mentorhaven.accounts.tokens import api_token_create
    from mentorhaven.gates.domain import QUIZ
    from mentorhaven.gates.services import training_submit
    from mentorhaven.mentoring.services import relationship_accept, relationship_propose
    from mentorhaven.messaging.services import conversation_for_relationship
    from mentorhaven.programs.models import Membership, OrgMembership, Program
    from mentorhaven.programs.services import organization_create

    org = organization_create(actor=None, name="Production check", slug="production-check")
    program = Program.objects.create(organization=org, name="Pilot", slug="pilot")
    admin = User.objects.create_user(email="admin@prod.test", display_name="Admin")
    mentor = User.objects.create_user(email="mentor@prod.test", display_name="Mentor")
    mentee = User.objects.create_user(email="mentee@prod.test", display_name="Mentee")
    mfa_enroll_totp(user=mentor)  # mentors reach a mentee's data only with a second factor
    passed, _score = training_submit(actor=mentor, answers={q.key: q.correct for q in QUIZ})
    assert passed  # ... and a current security training
    Membership.objects.create(program=program, user=admin, role="program_admin")
    for user, role in ((mentor, "mentor"), (mentee, "mentee")):
        OrgMembership.objects.create(organization=org, user=user)
        Membership.objects.create(program=program, user=user, role=role)
    rel = relationship_propose(actor=admin, program=program, mentee=mentee, mentor=mentor)
    relationship_accept(actor=mentee, relationship=rel)
    rel = relationship_accept(actor=mentor, relationship=rel)
    conversation = conversation_for_relationship(actor=mentee, relationship=rel)
    _token, secret = api_token_create(actor=mentee, user=mentee, name="check", scope="write")

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(mentor.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = mentor.get_session_auth_hash()
    store.save()
    print(
        json.dumps(
            {
                "relationship": str(rel.public_id),
                "conversation": str(conversation.public_id),
                "mentor_cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
                "mentee_token": secret,
            }
        )
    )


if __name__ == "__main__":
    main()
