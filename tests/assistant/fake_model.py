"""A real HTTP server speaking the chat-completions protocol, for tests and the benchmark.

It runs in a thread on 127.0.0.1, records every request it receives (path, headers, JSON body)
and answers like an OpenAI-compatible server would. Its answer echoes the first placeholder of
the prompt (``[NAME_1]``) so tests can see that placeholders are put back in the answer.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PLACEHOLDER = re.compile(r"\[(?:NAME|EMAIL|PHONE|ADDRESS|LINK)_\d+\]")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """Everything the messages said, as one string."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


@dataclass
class FakeModel:
    received: list[Received] = field(default_factory=list)
    status: int = 200
    reply: str | None = None  # the content to answer with; default: a goal suggestion
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def answer_for(self, body: dict[str, Any]) -> str:
        if self.reply is not None:
            return self.reply
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", [])[1:])
        who = PLACEHOLDER.search(prompt)
        someone = who.group(0) if who else "your mentor"
        return json.dumps(
            {
                "title": "Present the quarterly roadmap to the leadership team by March",
                "description": f"Prepare with {someone} and rehearse twice.",
                "milestones": [
                    "Draft the slides by 15 January",
                    f"Rehearse with {someone} by 15 February",
                    "Present in the March leadership meeting",
                ],
            }
        )

    def start(self) -> FakeModel:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.received.append(Received(self.path, dict(self.headers), body))
                if fake.status != 200:
                    self.send_response(fake.status)
                    self.end_headers()
                    return
                answer = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": fake.answer_for(body)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200},
                }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
