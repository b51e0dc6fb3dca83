"""Locust users for ``bench_load.py``: people of a mentoring program doing a mixed workload.

Each simulated user is one participant (mentor or mentee) of ``BENCH_LOAD_WORLD`` (the JSON the
world script printed): opens the dashboard with their session, reads and sends messages, reads
the relationship's notes and downloads its file through the API with their token. Every message
the server acknowledges (201) is written to ``BENCH_LOAD_SENT`` so the benchmark can check that
each one is in the conversation afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from pathlib import Path

from locust import HttpUser, between, task

WORLD = json.loads(Path(os.environ["BENCH_LOAD_WORLD"]).read_text())
SENT_PATH = os.environ["BENCH_LOAD_SENT"]
PROXY = {"X-Forwarded-Proto": "https"}
_people = itertools.cycle([(pair, role) for pair in WORLD for role in ("mentee", "mentor")])
_lock = threading.Lock()
_counter = itertools.count()


class Participant(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        with _lock:
            self.pair, role = next(_people)
        self.api = {**PROXY, "Authorization": f"Bearer {self.pair[f'{role}_token']}"}
        self.page = {**PROXY, "Cookie": self.pair[f"{role}_cookie"]}
        self.messages = f"/api/v1/relationships/{self.pair['relationship']}/messages"

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", headers=self.page, name="dashboard")

    @task(4)
    def read_messages(self) -> None:
        self.client.get(self.messages, headers=self.api, name="read messages")

    @task(3)
    def send_message(self) -> None:
        body = f"load message {next(_counter)} {os.getpid()}"
        with self.client.post(
            self.messages, json={"body": body}, headers=self.api, name="send message",
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"send answered {response.status_code}")
                return
            with _lock, open(SENT_PATH, "a") as sent:
                sent.write(json.dumps({"id": response.json()["id"], "body": body}) + "\n")

    @task(1)
    def notes(self) -> None:
        path = f"/api/v1/relationships/{self.pair['relationship']}/notes"
        self.client.get(path, headers=self.api, name="notes")

    @task(1)
    def download(self) -> None:
        path = f"/api/v1/files/{self.pair['file']}/content"
        self.client.get(path, headers=self.api, name="file download")
