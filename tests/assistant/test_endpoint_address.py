"""The model endpoint is an http(s) server and nothing else: not a local file, not ftp, not
wherever a redirect points."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from mentorhaven.assistant import gateway
from mentorhaven.assistant.features import GOAL_COACH, goal_pieces
from mentorhaven.assistant.models import AssistantSettings
from mentorhaven.mentoring.services import goal_create
from tests.assistant.conftest import agree

ANSWER = {
    "choices": [{"message": {"role": "assistant", "content": "read from a file"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1},
}


@pytest.fixture
def goal(pair, personas):
    return goal_create(actor=personas.cara, relationship=pair, title="Present better")


def ask(goal, actor):
    return gateway.ask(
        feature=GOAL_COACH,
        actor=actor,
        organization=goal.relationship.program.organization,
        pieces=goal_pieces(goal),
    )


@pytest.mark.parametrize(
    "address", ["file:///etc/passwd", "ftp://models.example.org/v1", "gopher://x.example/v1"]
)
def test_the_command_refuses_an_address_that_is_not_http(personas, address):
    with pytest.raises(CommandError, match="Not saved: base_url"):
        call_command(
            "assistant_configure", personas.org.slug, "--base-url", address, "--model", "m"
        )
    assert not AssistantSettings.objects.filter(organization=personas.org, enabled=True).exists()


def test_a_file_address_set_in_the_database_is_never_opened(ai_on, goal, personas, tmp_path):
    # A file the server could read, laid out where the gateway would look for the answer.
    answer = tmp_path / "v1" / "chat" / "completions"
    answer.parent.mkdir(parents=True)
    answer.write_text(json.dumps(ANSWER))
    agree(personas.cara)
    AssistantSettings.objects.filter(pk=ai_on.pk).update(base_url=f"file://{tmp_path}/v1")
    with pytest.raises(gateway.EndpointDown):
        ask(goal, personas.cara)


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_redirect_is_not_followed(ai_on, goal, personas):
    elsewhere_hits: list[str] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            elsewhere_hits.append(self.path)
            data = json.dumps(ANSWER).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST  # a 303 turns the POST into a GET

        def log_message(self, *args: Any) -> None:
            pass

    elsewhere = _Server(Elsewhere)

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(303)
            self.send_header("Location", f"{elsewhere.url}/v1/chat/completions")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    redirecting = _Server(Redirecting)
    try:
        agree(personas.cara)
        AssistantSettings.objects.filter(pk=ai_on.pk).update(base_url=f"{redirecting.url}/v1")
        with pytest.raises(gateway.EndpointDown):
            ask(goal, personas.cara)
        assert elsewhere_hits == []
    finally:
        redirecting.stop()
        elsewhere.stop()
