"""Start app.py as a real process, and call its handlers the way the page (or an attacker) does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from tests.helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running_app(tmp: Path, **env: str) -> Iterator[dict[str, Any]]:
    """app.py on a free loopback port with extra FA_* settings; yields url, feedback db and log path."""
    port = free_port()
    feedback = tmp / "feedback.db"
    log_path = tmp / "app.log"
    full_env = {**os.environ, "FA_PORT": str(port), "FA_FEEDBACK_DB": str(feedback), **env}
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(proc, port, 120, log_path.read_text)
            yield {"url": f"http://127.0.0.1:{port}/", "feedback": feedback, "log": log_path, "proc": proc}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


class QueueClient:
    """Calls any event handler through Gradio's queue API by its trigger, as the page does.

    Private handlers are hidden from gradio_client but not from the queue, which is
    exactly how issue 13 flooded the feedback store; these tests do the same.
    """

    def __init__(self, url: str) -> None:
        import httpx

        self.http = httpx.Client(base_url=url, timeout=30)
        config = self.http.get("config").json()
        elem = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
        self.triggers = {}
        for dep in config["dependencies"]:
            for component, event in dep["targets"]:
                self.triggers.setdefault((elem.get(component), event), (dep["id"], component))

    def call(self, elem_id: str, event: str, data: list[Any], session: str, event_data: Any = None) -> dict[str, Any]:
        fn_index, trigger_id = self.triggers[(elem_id, event)]
        body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": event_data, "trigger_id": trigger_id}
        self.http.post("gradio_api/queue/join", json=body).raise_for_status()
        with self.http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
        raise RuntimeError("the queue closed without completing")

    @staticmethod
    def new_session() -> str:
        return uuid.uuid4().hex[:11]
