"""What erasing a person removes from the library (privacy/erasure/registry.py), as the
inventory says (library/inventory.py): the resources they wrote or uploaded are deleted, and
their sealed files after the deletion commits. Nothing records what a person opened, so there
is nothing else to remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentorhaven.library.services import resources_erase
from mentorhaven.privacy.erasure.registry import REMOVE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("library.resources", order=REMOVE)
def remove_resources(user: User) -> dict[str, int]:
    return resources_erase(user=user)
