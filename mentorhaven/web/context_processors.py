"""Navigation by role, shown in the base layout."""

from __future__ import annotations

from mentorhaven.web.navigation import nav_links, navigation_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_links": ""}
    items = navigation_for(user)
    return {"nav_items": items, "nav_links": nav_links(items, request.path)}
