"""Incident fixtures: a security officer in each organization (TOTP enrolled, as the role
requires), and an incident in Demo Org about Cara's account."""

from __future__ import annotations

import pytest

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.incidents.services import incident_open
from mentorhaven.programs.models import OrgMembership
from tests.conftest import PASSWORD


def make_officer(personas, organization, email: str, name: str) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, display_name=name)
    OrgMembership.objects.create(organization=organization, user=user)
    OrgMembership.objects.create(
        organization=organization, user=user, role=OrgMembership.Role.SECURITY_OFFICER
    )
    personas.totp_secrets[email] = mfa_enroll_totp(user=user)
    return user


@pytest.fixture
def officer(personas) -> User:
    return make_officer(personas, personas.org, "sol.officer@demo.test", "Sol Officer")


@pytest.fixture
def second_officer(personas) -> User:
    return make_officer(personas, personas.org, "sam.officer@demo.test", "Sam Officer")


@pytest.fixture
def other_officer(personas) -> User:
    return make_officer(personas, personas.other_org, "oz.officer@other.test", "Oz Officer")


@pytest.fixture
def incident(personas, officer):
    return incident_open(
        actor=officer,
        organization_id=personas.org.public_id,
        severity="high",
        description="Cara's password was phished",
        affected_systems="web sign-in",
        account_email=personas.cara.email,
    )


@pytest.fixture
def client_factory():
    """A fresh client per request: nobody signed in, no cookies."""
    from django.test import Client

    return lambda: Client()
