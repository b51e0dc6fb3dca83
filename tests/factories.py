"""factory_boy factories for volume: the plain rows around the domain (organizations, programs,
people, memberships, relationships, invitations), where a test needs many of them and none has
a service of its own.

What people write — goals, notes, messages, files — is never made here: it goes through the
services, so it is encrypted, bound and audited as in production (STYLE.md #1, #14).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from mentorhaven.accounts.models import User
from mentorhaven.gates.domain import TRAINING_MODULE_VERSION
from mentorhaven.gates.models import TrainingCompletion
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import (
    Invitation,
    Membership,
    Organization,
    OrgMembership,
    Program,
)

_serial = itertools.count(1)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class PersonFactory(DjangoModelFactory):
    """A person who cannot sign in with a password (volume people only need to exist)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@volume.test")
    display_name = factory.Sequence(lambda n: f"Person {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=None, **kwargs)


class OrgMembershipFactory(DjangoModelFactory):
    class Meta:
        model = OrgMembership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(PersonFactory)


def mark_trained(*users: User) -> None:
    """The people have passed the mentor security training (the gate of gates/access.py), as
    every mentor of a running program has: tests of other features start past the gate."""
    TrainingCompletion.objects.bulk_create(
        TrainingCompletion(user=user, module_version=TRAINING_MODULE_VERSION, score=5)
        for user in users
        if not TrainingCompletion.objects.filter(user=user).exists()
    )


class MembershipFactory(DjangoModelFactory):
    """A person in a program, and so (as invitations make them) a member of its organization."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True  # the hook writes its own row; nothing to save again

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(PersonFactory)
    role = Membership.Role.MENTEE

    @factory.post_generation
    def in_the_organization(self, create: bool, extracted, **kwargs) -> None:
        if create:
            OrgMembership.objects.get_or_create(
                organization=self.program.organization,
                user=self.user,
                role=OrgMembership.Role.MEMBER,
            )

    @factory.post_generation
    def trained(self, create: bool, extracted, **kwargs) -> None:
        """Mentors are made trained unless ``trained=False`` is passed."""
        if create and self.role == Membership.Role.MENTOR and extracted is not False:
            mark_trained(self.user)


class RelationshipFactory(DjangoModelFactory):
    """A relationship both people accepted (or a proposal, with ``status=PROPOSED``)."""

    class Meta:
        model = Relationship
        skip_postgeneration_save = True  # the hook writes its own rows

    status = Relationship.Status.ACTIVE
    source = Relationship.Source.ADMIN_MATCH
    mentee_accepted_at = factory.LazyFunction(timezone.now)
    mentor_accepted_at = factory.LazyFunction(timezone.now)
    started_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def mentor_trained(self, create: bool, extracted, **kwargs) -> None:
        """The mentor is made trained unless ``mentor_trained=False`` is passed."""
        if create and extracted is not False:
            mark_trained(self.mentor)


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.LazyFunction(lambda: f"invitee{next(_serial)}@world.test")
    program_role = Membership.Role.MENTEE
    token_hash = factory.LazyFunction(lambda: f"{next(_serial):064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
