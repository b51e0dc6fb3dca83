"""The navigation of the signed-in person, for the base layout."""

from __future__ import annotations

from mentorhaven.incidents.selectors import notice_counts
from mentorhaven.messaging.selectors import unread_notification_count
from mentorhaven.web.navigation import navigation_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    notices, unread_notices = notice_counts(viewer=user)
    counts = {
        "messaging:notifications": unread_notification_count(viewer=user),
        "incidents:notices": unread_notices,
    }
    present = frozenset({"incidents:notices"} if notices else ())
    return {"nav_items": navigation_for(user, request.path, counts, present)}
