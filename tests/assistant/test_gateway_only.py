"""Nothing but the gateway may call a model: no other module of MentorHaven uses an HTTP
client, except the audit anchor webhook and the single sign-on discovery, which call their own
configured URLs (never the assistant's endpoint, whose settings they do not read)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mentorhaven"
GATEWAY = PACKAGE / "assistant" / "gateway.py"
HTTP_CLIENTS = {
    "urllib.request", "http.client", "httpx", "requests", "aiohttp", "urllib3", "openai",
    "socket", "pycurl", "websocket", "litellm", "anthropic",
}  # fmt: skip
# Modules that make an HTTP call of their own, and why that is not a model call.
ALLOWED = {
    PACKAGE / "kernel" / "audit" / "anchors.py": "posts audit anchors to AUDIT_ANCHOR_WEBHOOK",
    PACKAGE / "accounts" / "sso.py": "reads an organization's OpenID Connect discovery document",
}


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _uses_http(path: Path) -> bool:
    return any(
        name == client or name.startswith(f"{client}.")
        for name in _imported(path)
        for client in HTTP_CLIENTS
    )


def test_only_the_gateway_uses_an_http_client():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path != GATEWAY and path not in ALLOWED and _uses_http(path)
    ]
    assert offenders == []


def test_the_allowed_http_users_never_read_the_assistant_settings():
    for path in ALLOWED:
        text = path.read_text()
        assert _uses_http(path), f"{path} no longer needs its exception: remove it"
        assert "assistant" not in text and "base_url" not in text


def test_the_scan_sees_an_http_client(tmp_path):
    """The scan would catch a module calling the model itself."""
    rogue = tmp_path / "rogue.py"
    rogue.write_text("import httpx\n\ndef ask(url):\n    return httpx.post(url, json={})\n")
    assert _uses_http(rogue)
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def ask():\n    from urllib.request import urlopen\n")
    assert _uses_http(sneaky)
    assert _uses_http(GATEWAY)
