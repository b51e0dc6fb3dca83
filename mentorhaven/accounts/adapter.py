"""allauth hooks: sign-up only by invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Programs are closed communities: the sign-up form opens only for a visitor who
        # arrived through a valid invitation link (stored in the session by the invitation view).
        from mentorhaven.programs.selectors import invitation_from_session

        return invitation_from_session(request) is not None
