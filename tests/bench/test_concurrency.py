"""The bench's asker speaks Gradio's HTTP protocol (POST for an event id, then server-sent events)."""

from __future__ import annotations

import json

import httpx
import pytest

from bench.concurrency import ask_over_http

URL = "http://app.test/"


def _app(events: str, seen: list[httpx.Request]) -> httpx.Client:
    """An HTTP transport that answers like Gradio's /call API: an event id, then ``events`` as an SSE stream."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST" and request.url.path == "/gradio_api/call/ask":
            return httpx.Response(200, json={"event_id": "e1"})
        if request.method == "GET" and request.url.path == "/gradio_api/call/ask/e1":
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events.encode())
        return httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_the_answer_of_the_complete_event_is_returned_and_the_question_is_posted_as_gradio_data():
    seen: list[httpx.Request] = []
    answer = {"text": "Betre tverrfagleg innsats …", "abstained": False}
    events = f"event: generating\ndata: null\n\nevent: complete\ndata: {json.dumps([answer])}\n\n"
    with _app(events, seen) as client:
        assert ask_over_http(client, URL, "Kva er BTI?", "Sogndal") == answer
    assert json.loads(seen[0].content) == {"data": ["Kva er BTI?", "Sogndal", []]}
    assert [r.method for r in seen] == ["POST", "GET"]


@pytest.mark.parametrize("events", ["event: error\ndata: \"boom\"\n\n", "event: error\ndata: null\n\n", "event: heartbeat\ndata: null\n\n"])
def test_an_error_event_or_a_stream_without_an_answer_raises(events):
    with _app(events, []) as client, pytest.raises(RuntimeError):
        ask_over_http(client, URL, "Kva er BTI?")
