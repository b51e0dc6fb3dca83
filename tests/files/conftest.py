"""Fixtures for the files app: a throw-away file store, and two active relationships
(Ana mentors Cara; Ben mentors Dev) so every test has a neighbour it must not see into."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mentorhaven.files.services import file_upload
from mentorhaven.mentoring.services import relationship_accept, relationship_propose

PLAIN_TEXT = "Cara's draft résumé: wants to move into product leadership by 2027.\n"


@pytest.fixture(autouse=True)
def file_storage(settings, tmp_path) -> Path:
    """Sealed blobs go to a temporary directory, never to var/media."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def _active(personas, mentee, mentor):
    relationship = relationship_propose(
        actor=personas.coordinator, program=personas.program, mentee=mentee, mentor=mentor
    )
    relationship_accept(actor=mentee, relationship=relationship)
    return relationship_accept(actor=mentor, relationship=relationship)


@pytest.fixture
def relationship(personas):
    return _active(personas, personas.cara, personas.ana)


@pytest.fixture
def other_relationship(personas):
    return _active(personas, personas.dev, personas.ben)


def upload(actor, relationship, data: bytes = PLAIN_TEXT.encode(), name: str = "resume.txt"):
    return file_upload(
        actor=actor, fileobj=io.BytesIO(data), declared_name=name, relationship=relationship
    )


@pytest.fixture
def cara_file(personas, relationship):
    return upload(personas.cara, relationship)


@pytest.fixture
def other_file(personas, other_relationship):
    return upload(personas.dev, other_relationship, b"Dev's private plan\n", "plan.txt")


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
