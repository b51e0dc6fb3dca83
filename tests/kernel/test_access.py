"""Deny by default: the shape every access helper shares (``kernel/access.py``).

What each role reaches is measured on the real helpers in ``tests/security/test_access_matrix.py``;
here: one answer for missing, malformed and forbidden, PermissionDenied only for writing, nothing
for anonymous or deactivated viewers, and no back door through superuser flags or Django admin.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from mentorhaven.kernel.access import ROLES, Role, fetch, is_person, parse_public_id
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.kernel.inventory import REGISTRY
from mentorhaven.programs.access import administered_programs, visible_programs
from mentorhaven.programs.models import Program


def test_a_malformed_id_is_not_found_like_a_missing_one():
    for value in ("", "not-a-uuid", "1", None, "../../etc", "0" * 100):
        with pytest.raises(NotFound):
            parse_public_id(value)
    same = uuid.uuid4()
    assert parse_public_id(same) is same
    assert parse_public_id(str(same).upper()) == same


def test_fetch_answers_missing_malformed_and_forbidden_alike(personas):
    visible = visible_programs(personas.outsider)
    answers = []
    for public_id in (personas.program.public_id, uuid.uuid4(), "junk"):
        with pytest.raises(NotFound) as refused:
            fetch(visible, public_id)
        answers.append(refused.value.as_dict())
    assert answers[0] == answers[1] == answers[2]


def test_fetch_for_writing_needs_the_writable_set(personas):
    program_id = personas.program.public_id
    visible = visible_programs(personas.cara)
    assert fetch(visible, program_id) == personas.program
    with pytest.raises(PermissionDenied):
        fetch(visible, program_id, write=True)  # no writable set: nobody writes
    with pytest.raises(PermissionDenied):
        fetch(visible, program_id, write=True, writable=administered_programs(personas.cara))
    admin = personas.coordinator
    assert (
        fetch(
            visible_programs(admin), program_id, write=True, writable=administered_programs(admin)
        )
        == personas.program
    )


def test_anonymous_and_deactivated_viewers_are_nobody(personas):
    assert not is_person(AnonymousUser())
    assert not is_person(None)
    assert is_person(personas.cara)
    personas.cara.is_active = False
    assert not is_person(personas.cara)
    assert not visible_programs(personas.cara).exists()
    assert not visible_programs(AnonymousUser()).exists()


def test_superuser_and_staff_flags_grant_nothing(personas):
    personas.outsider.is_superuser = personas.outsider.is_staff = True
    personas.outsider.save()
    assert set(visible_programs(personas.outsider)) == {personas.other_program}
    assert not administered_programs(personas.outsider).exists()
    with pytest.raises(NotFound):
        fetch(visible_programs(personas.outsider), personas.program.public_id)


def test_visible_programs_follow_memberships_and_oversight(personas):
    hidden = Program.objects.create(organization=personas.org, name="Quiet", slug="quiet")
    assert set(visible_programs(personas.cara)) == {personas.program}
    assert set(visible_programs(personas.org_admin)) == {personas.program, hidden}
    assert set(visible_programs(personas.auditor)) == {personas.program, hidden}
    assert set(visible_programs(personas.outsider)) == {personas.other_program}


def test_administered_programs_are_the_program_admins_and_the_org_admins(personas):
    hidden = Program.objects.create(organization=personas.org, name="Quiet", slug="quiet")
    assert set(administered_programs(personas.coordinator)) == {personas.program}
    assert set(administered_programs(personas.org_admin)) == {personas.program, hidden}
    for viewer in (personas.auditor, personas.ana, personas.cara, personas.outsider):
        assert not administered_programs(viewer).exists()


def test_the_data_map_names_only_known_audiences():
    # The check (E007) guards this at start-up; this shows the registry really is clean.
    used = {role for d in REGISTRY.values() for f in d.fields.values() for role in f.visible_to}
    assert used and used <= set(ROLES)
    assert str(Role.SELF) in used


# --- Django admin is not a back door -------------------------------------------------------------


def test_django_admin_is_not_installed():
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


def test_admin_url_is_not_found_even_for_a_superuser(client, personas):
    personas.org_admin.is_superuser = personas.org_admin.is_staff = True
    personas.org_admin.save()
    client.force_login(personas.org_admin)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
