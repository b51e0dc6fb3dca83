"""What erasing a person removes from the community app (privacy/erasure/registry.py), as the
inventory says (community/inventory.py).

- Their event registrations are deleted; a seat they held at an event still to come goes to the
  first person waiting, who is told. Their name comes off the check-ins they recorded.
- Events they wrote stay (they are the program's), pointing at the anonymized account; their
  text was encrypted under the person's key and reads as erased once the key is destroyed
  (the ``kernel.shred`` step), until another admin writes it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentorhaven.community.services import registrations_erase, survey_answers_erase
from mentorhaven.privacy.erasure.registry import REMOVE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("community.registrations", order=REMOVE)
def remove_registrations(user: User) -> dict[str, int]:
    return registrations_erase(user=user)


@register("community.survey_answers", order=REMOVE)
def remove_survey_answers(user: User) -> dict[str, int]:
    return survey_answers_erase(user=user)
