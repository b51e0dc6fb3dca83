"""Pure rules about accounts (no ORM)."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Order matters: Edge and Opera claim to be Chrome, Chrome claims to be Safari.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def device_description(user_agent: str) -> str:
    """A coarse "Browser on System" from a User-Agent: no versions, no build identifiers.

    Used in sign-in notices and the session list, where the full string would add
    fingerprinting detail without helping a person recognise their own device.
    """
    ua = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in ua), "")
    system = next((name for token, name in _SYSTEMS if token in ua), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


# --- time zones ----------------------------------------------------------------------------------


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA zone names this machine knows (the system's tz database, or ``tzdata``)."""
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is a zone we can show times in. A zone is a name from the list, never
    free text: anything else is refused where it is entered (sign-up, profile, API)."""
    return isinstance(name, str) and name in known_time_zones()


def zone_named(name: str) -> ZoneInfo:
    """The zone called ``name``; UTC for an empty or no longer known name (a tz database
    update can retire one), so that showing a time never fails."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(known_time_zones())]
