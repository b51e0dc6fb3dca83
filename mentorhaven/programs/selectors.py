"""Reads about organizations, programs and invitations."""

from __future__ import annotations

from mentorhaven.programs.models import Invitation

INVITATION_SESSION_KEY = "mentorhaven.invitation"


def invitation_from_session(request) -> Invitation | None:
    """The still-usable invitation the visitor arrived with, if any."""
    invitation_id = request.session.get(INVITATION_SESSION_KEY)
    if not invitation_id:
        return None
    invitation = Invitation.objects.filter(public_id=invitation_id).first()
    return invitation if invitation and invitation.is_usable else None
