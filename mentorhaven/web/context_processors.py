"""Navigation by role, and the few fixed links of the base layout."""

from __future__ import annotations

from mentorhaven.web.navigation import nav_links, navigation_for, reverse_cached, routes_in_force

# The base layout's own links, reversed once per process like the navigation's.
SITE_LINKS = {
    "home": "home",
    "sign_in": "account_login",
    "sign_out": "account_logout",
    "privacy": "privacy_home",
}


def navigation(request) -> dict:
    routes = routes_in_force()
    site = {key: reverse_cached(name, routes) for key, name in SITE_LINKS.items()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_links": "", "site_urls": site}
    items = navigation_for(user)
    return {"nav_items": items, "nav_links": nav_links(items, request.path), "site_urls": site}
