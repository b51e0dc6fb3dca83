"""Deny by default: the role table, the facts roles come from, and the helpers built on them."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings

from mentorhaven.kernel import access
from mentorhaven.kernel.access import Action, Role, allowed, fetch, require, roles_towards
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.kernel.inventory import Category
from mentorhaven.programs.models import Membership, Program

COMBINATIONS = list(itertools.product(Role, Category, Action))


def must_not(role: Role, category: Category, action: Action) -> bool:
    """The brief's promises, written independently of the table they check."""
    if action is Action.EXPORT:
        return role is not Role.SELF  # only you take a copy of your data out
    if action is Action.WRITE:
        admin_of_program = role in (Role.PROGRAM_ADMIN, Role.ORG_ADMIN)
        return not (
            (
                role is Role.SELF
                and category is not Category.PROGRAM
                and category is not Category.ANALYTICAL
            )
            or (admin_of_program and category is Category.PROGRAM)
        )
    if category is Category.PERSONAL:
        return role not in (Role.SELF, Role.MENTOR)  # only you, and your mentor what you share
    if category is Category.PLATFORM and action is Action.READ:
        return role not in (Role.SELF, Role.MENTOR, Role.MENTEE)  # admins never read content
    if role in (Role.AUDITOR, Role.SECURITY_OFFICER):
        return action is Action.READ or category not in (Category.PROGRAM, Category.PLATFORM)
    if role is Role.PEER:
        return not (category is Category.PROFESSIONAL and action is Action.METADATA)
    if category is Category.ANALYTICAL and action is Action.READ:
        return role not in (Role.SELF, Role.PROGRAM_ADMIN)
    return False


FORBIDDEN = [c for c in COMBINATIONS if must_not(*c)]


@pytest.mark.parametrize(("role", "category", "action"), FORBIDDEN, ids=str)
def test_role_is_denied_what_it_must_not_have(role, category, action):
    assert not allowed(role, category, action)


@pytest.mark.parametrize(
    ("role", "category", "action"),
    [
        (Role.SELF, Category.PERSONAL, Action.READ),
        (Role.SELF, Category.PLATFORM, Action.EXPORT),
        (Role.MENTOR, Category.PERSONAL, Action.READ),
        (Role.PROGRAM_ADMIN, Category.PROGRAM, Action.WRITE),
        (Role.PROGRAM_ADMIN, Category.PLATFORM, Action.METADATA),
        (Role.AUDITOR, Category.PLATFORM, Action.METADATA),
    ],
    ids=str,
)
def test_roles_keep_what_their_work_needs(role, category, action):
    assert allowed(role, category, action)


def test_the_forbidden_list_is_most_of_the_table():
    # Guards the spec above against becoming vacuous: deny is the rule, grants the exception.
    assert len(FORBIDDEN) > len(COMBINATIONS) // 2


def test_unknown_roles_categories_and_actions_are_denied():
    assert not allowed("superuser", Category.PROGRAM, Action.READ)
    assert not allowed(Role.SELF, "medical", Action.READ)
    assert not allowed(Role.SELF, Category.PROGRAM, "delete_everything")


def test_the_privacy_doc_shows_the_access_table_from_the_code():
    doc = (Path(settings.PROJECT_DIR) / "docs" / "privacy.md").read_text()
    block = re.search(r"<!-- access-table:start -->\n(.*?)\n<!-- access-table:end -->", doc, re.S)
    assert block, "docs/privacy.md lost its access-table markers"
    assert block.group(1) == access.markdown_table()


# --- roles from facts ----------------------------------------------------------------------------


def test_roles_towards_oneself_is_self_only(personas):
    assert roles_towards(personas.cara, personas.cara) == {"self"}


def test_roles_come_from_program_and_organization_facts(personas):
    assert roles_towards(personas.coordinator, personas.cara) == {"program_admin", "program_peer"}
    assert roles_towards(personas.org_admin, personas.cara) == {"org_admin"}
    assert roles_towards(personas.auditor, personas.cara) == {"auditor"}
    assert roles_towards(personas.dev, personas.cara) == {"program_peer"}


def test_people_of_another_organization_hold_no_role(personas):
    assert roles_towards(personas.outsider, personas.cara) == set()
    assert roles_towards(personas.org_admin, personas.outsider) == set()


def test_superuser_and_staff_flags_grant_nothing(personas):
    personas.outsider.is_superuser = personas.outsider.is_staff = True
    personas.outsider.save()
    assert roles_towards(personas.outsider, personas.cara) == set()
    membership = Membership.objects.get(user=personas.cara)
    with pytest.raises(NotFound):
        require(personas.outsider, membership, Action.READ)


def test_anonymous_and_deactivated_viewers_hold_no_role(personas):
    from django.contrib.auth.models import AnonymousUser

    assert roles_towards(AnonymousUser(), personas.cara) == set()
    personas.coordinator.is_active = False
    assert roles_towards(personas.coordinator, personas.cara) == set()


def test_relationship_roles_come_from_a_registered_source(personas, monkeypatch):
    monkeypatch.setattr(access, "_role_sources", [])
    with pytest.raises(NotFound):
        require(personas.ana, personas.cara, Action.READ, category=Category.PERSONAL)

    def active_relationship(viewer, subject):
        return {"mentor"} if (viewer, subject) == (personas.ana, personas.cara) else set()

    access.register_role_source(active_relationship)
    assert require(personas.ana, personas.cara, Action.READ, category=Category.PERSONAL)
    with pytest.raises(NotFound):
        require(personas.ben, personas.cara, Action.READ, category=Category.PERSONAL)


def test_a_role_source_cannot_invent_roles(personas, monkeypatch):
    monkeypatch.setattr(access, "_role_sources", [lambda viewer, subject: {"god"}])
    assert roles_towards(personas.dev, personas.cara) == {"program_peer"}


# --- require: NotFound for what you may not see, PermissionDenied for what you may not do ------


def test_an_outsider_gets_not_found(personas):
    membership = Membership.objects.get(user=personas.cara)
    with pytest.raises(NotFound):
        require(personas.outsider, membership, Action.READ)


def test_a_peer_cannot_see_anothers_membership_record(personas):
    membership = Membership.objects.get(user=personas.cara)
    with pytest.raises(NotFound):
        require(personas.dev, membership, Action.READ)


def test_a_viewer_who_may_see_but_not_change_gets_permission_denied(personas):
    membership = Membership.objects.get(user=personas.cara)
    with pytest.raises(PermissionDenied):
        require(personas.auditor, membership, Action.READ)  # metadata only
    with pytest.raises(PermissionDenied):
        require(personas.cara, membership, Action.WRITE)  # admins manage memberships


def test_program_admin_may_change_a_membership(personas):
    membership = Membership.objects.get(user=personas.cara)
    assert require(personas.coordinator, membership, Action.WRITE) is membership


def test_an_object_without_a_declaration_is_refused(personas):
    with pytest.raises(NotFound):
        require(personas.org_admin, personas.program, Action.READ)


def test_user_rows_are_guarded_as_their_most_sensitive_category(personas):
    # A user row holds sign-in records (platform): a peer sees the name only when asked for it.
    with pytest.raises(NotFound):
        require(personas.dev, personas.cara, Action.READ)
    assert require(personas.dev, personas.cara, Action.METADATA, category=Category.PROFESSIONAL)


# --- fetch and visible querysets -----------------------------------------------------------------


def test_fetch_answers_missing_and_forbidden_alike(personas):
    visible = access.visible_programs(personas.outsider)
    with pytest.raises(NotFound) as forbidden:
        fetch(visible, public_id=personas.program.public_id)
    with pytest.raises(NotFound) as missing:
        fetch(visible, slug="no-such-program")
    assert forbidden.value.as_dict() == missing.value.as_dict()


def test_fetch_for_writing_needs_the_writable_set(personas):
    visible = access.visible_programs(personas.cara)
    assert fetch(visible, public_id=personas.program.public_id) == personas.program
    with pytest.raises(PermissionDenied):
        fetch(visible, write=True, public_id=personas.program.public_id)
    with pytest.raises(PermissionDenied):
        fetch(
            visible,
            write=True,
            writable=access.administered_programs(personas.cara),
            public_id=personas.program.public_id,
        )
    admin_visible = access.visible_programs(personas.coordinator)
    assert (
        fetch(
            admin_visible,
            write=True,
            writable=access.administered_programs(personas.coordinator),
            public_id=personas.program.public_id,
        )
        == personas.program
    )


def test_visible_programs_follow_memberships_and_oversight(personas):
    hidden = Program.objects.create(organization=personas.org, name="Quiet", slug="quiet")
    assert set(access.visible_programs(personas.cara)) == {personas.program}
    assert set(access.visible_programs(personas.org_admin)) == {personas.program, hidden}
    assert set(access.visible_programs(personas.auditor)) == {personas.program, hidden}
    assert set(access.visible_programs(personas.outsider)) == {personas.other_program}


def test_visible_people_stop_at_the_organization_boundary(personas):
    people = set(access.visible_people(personas.cara))
    assert personas.ana in people and personas.cara in people
    assert personas.outsider not in people
    assert personas.outsider not in set(access.visible_people(personas.org_admin))


def test_visible_querysets_are_empty_for_anonymous_viewers(db):
    from django.contrib.auth.models import AnonymousUser

    assert not access.visible_programs(AnonymousUser()).exists()
    assert not access.visible_people(AnonymousUser()).exists()


# --- Django admin is not a back door -------------------------------------------------------------


def test_django_admin_is_not_installed():
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


def test_admin_url_is_not_found_even_for_a_superuser(client, personas):
    personas.org_admin.is_superuser = personas.org_admin.is_staff = True
    personas.org_admin.save()
    client.force_login(personas.org_admin)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
