"""What every matching page shares."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from mentorhaven.matching.models import ParticipantRole

MENTEE, MENTOR = ParticipantRole.MENTEE, ParticipantRole.MENTOR


def _to(name: str, **kwargs) -> HttpResponse:
    return redirect(reverse(name, kwargs=kwargs))
