"""What every matching page shares."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from mentorhaven.kernel.errors import ApplicationError, NotFound, PermissionDenied
from mentorhaven.matching.models import ParticipantRole

MENTEE, MENTOR = ParticipantRole.MENTEE, ParticipantRole.MENTOR


def _guarded(view):
    """NotFound → 404, PermissionDenied → 403; other refusals become a message on the page
    the person came from."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404 from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied from exc
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(request.headers.get("Referer") or reverse("home"))

    return login_required(wrapped)


def _to(name: str, **kwargs) -> HttpResponse:
    return redirect(reverse(name, kwargs=kwargs))
