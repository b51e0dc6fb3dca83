"""Pure rules about accounts (no ORM)."""

from __future__ import annotations

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
