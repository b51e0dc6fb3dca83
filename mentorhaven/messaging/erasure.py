"""What erasing a person removes from messaging (privacy/erasure/registry.py).

Messages stay as tombstones: the rows keep their place in the conversation, so the other person
sees that something was said by "a former participant", while the text, under the author's
shredded key, is gone. Notifications, preferences and blocks (both ways) are deleted. Safety
reports stay for the program's staff; their evidence is kept through the erasure by
privacy/erasure/safeguarding.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mentorhaven.messaging.models import Block, Notification, NotificationPreference, Report
from mentorhaven.privacy.erasure.registry import REMOVE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("messaging.personal", order=REMOVE)
def remove_messaging_data(user: User) -> dict[str, int]:
    Report.objects.filter(resolved_by=user).update(resolved_by=None)
    return {
        "notifications": Notification.objects.filter(user=user).delete()[0],
        "preferences": NotificationPreference.objects.filter(user=user).delete()[0],
        "blocks": Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()[0],
    }
