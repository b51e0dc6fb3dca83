"""Which sections each person sees in the navigation, derived from their roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


def navigation_for(user) -> list[NavItem]:
    items = [NavItem("Dashboard", reverse("dashboard"))]
    items.append(NavItem("Privacy", reverse("privacy_home")))
    items.append(NavItem("Account", reverse("account_security")))
    return items
