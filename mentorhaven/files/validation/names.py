"""Turning a declared filename into one that is safe to store, show and download.

The declared name is only a label chosen by the uploader: it never decides the type, and it must
not be able to smuggle a path, hide its real extension behind bidirectional-override characters,
or produce a name Windows refuses to open.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode categories dropped outright: controls, format characters (bidi overrides and isolates,
# zero-width characters, BOM), surrogates, private use and unassigned code points.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Characters Windows forbids in names; replaced so the name survives a download there.
_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
# Device names Windows reserves whatever the extension ("con.txt" is still the console).
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"com{d}" for d in "123456789¹²³"}
    | {f"lpt{d}" for d in "123456789¹²³"}
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
_FALLBACK_STEM = "file"


def declared_extension(declared_name: str) -> str:
    """The lower-cased extension of the declared name's last path part ('' when it has none)."""
    base = _last_path_part(unicodedata.normalize("NFC", declared_name or ""))
    base = base.strip().rstrip(". ")
    match = _EXTENSION.search(base)
    if not match or match.start() == 0:
        return ""
    return match.group(0).lower()


def sanitize_filename(declared_name: str, *, extension: str, max_bytes: int = 150) -> str:
    """A safe filename built from ``declared_name`` that ends with ``extension``.

    ``extension`` is the dotted extension of the *detected* type. Whatever extension the declared
    name carried is replaced by it. ``max_bytes`` bounds the UTF-8 length of the whole name (most
    filesystems allow 255 bytes); the stem is shortened, never the extension.
    """
    name = unicodedata.normalize("NFC", declared_name or "")
    name = _last_path_part(name)
    # Normalise again: dropping a character can leave a base letter next to its combining mark.
    name = unicodedata.normalize("NFC", "".join(_clean_char(ch) for ch in name))
    name = re.sub(r" +", " ", name)
    # Leading dots would hide the file on Unix; trailing dots and spaces are dropped by Windows.
    name = name.lstrip(". ").rstrip(". ")
    match = _EXTENSION.search(name)
    stem = name[: match.start()] if match else name
    stem = stem.rstrip(". ")
    if stem.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    budget = max(1, max_bytes - len(extension.encode()))
    stem = _truncate_utf8(stem, budget).rstrip(". ")
    return f"{stem or _FALLBACK_STEM}{extension}"


def _last_path_part(name: str) -> str:
    # Both separators count, whatever the server's OS: the name may come from any client.
    return re.split(r"[\\/]", name)[-1]


def _clean_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if ch in "\t\n\r\x0b\x0c" or category in ("Zs", "Zl", "Zp"):
        return " "  # tabs, newlines and exotic spaces all become one plain space
    if category in _DROPPED_CATEGORIES:
        return ""
    if ch in _WINDOWS_FORBIDDEN:
        return "_"
    return ch


def _truncate_utf8(text: str, max_bytes: int) -> str:
    limit = max_bytes
    while len(text.encode()) > max_bytes:
        cut = text.encode()[:limit].decode("utf-8", errors="ignore")
        # Do not leave a combining mark without its base character at the cut.
        while cut and unicodedata.combining(cut[-1]):
            cut = cut[:-1]
        text = unicodedata.normalize("NFC", cut)
        limit -= 1
    return text
