"""The optional LLM backend against a local server speaking the chat-completions protocol."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from llama_index.core.llms import ChatMessage
from llama_index.core.schema import NodeWithScore
from llama_index.llms.openai_like import OpenAILike

from assistant.llamaindex import chunk_node
from assistant.llm import LlamaCppChat, answer_with_llm, make_llm, validate_llm_answer
from assistant.models import Answer
from ingest.models import Chunk
from ingest.settings import Settings


class FakeOpenAI(BaseHTTPRequestHandler):
    """Replies from a queue, records requests; speaks /v1/chat/completions."""

    replies: list[tuple[int, str]] = []
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        status, content = FakeOpenAI.replies.pop(0) if FakeOpenAI.replies else (200, "")
        if status != 200:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"error": {"message": "overloaded", "type": "server_error"}}).encode())
            return
        payload = {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    FakeOpenAI.replies, FakeOpenAI.requests = [], []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def chunks():
    return [
        Chunk("c1", "sogndal-bti-struktur-for-samarbeid", "BTI", "Sogndal", "nn", "Nivå 2", "Oppfølging på Nivå 2 er når to tenester samarbeider.", 10, 62),
        Chunk("c2", "sogndal-bti-struktur-for-samarbeid", "BTI", "Sogndal", "nn", "Nivå 3", "Nivå 3 er når fleire tenester samarbeider.", 80, 122),
    ]


def nodes():
    return [NodeWithScore(node=chunk_node(c), score=1.0) for c in chunks()]


def openai_llm(server):
    return make_llm(Settings(llm_backend="openai", llm_base_url=server, llm_model="tiny", llm_api_key="k", llm_timeout_s=5))


FALLBACK = Answer("extractive [1]", False, "nn", [])


def test_openai_backend_speaks_the_protocol(server):
    FakeOpenAI.replies = [(200, "Det er nivå 2 [1].")]
    llm = make_llm(Settings(llm_backend="openai", llm_base_url=server, llm_model="tiny", llm_api_key="k"))
    assert isinstance(llm, OpenAILike)
    reply = llm.chat([ChatMessage(role="system", content="system"), ChatMessage(role="user", content="user")])
    assert reply.message.content == "Det er nivå 2 [1]."
    request = FakeOpenAI.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["body"]["model"] == "tiny"
    assert request["body"]["messages"][0] == {"role": "system", "content": "system"}
    assert request["auth"] == "Bearer k"


def test_valid_markers_are_kept_and_renumbered(server):
    answer = validate_llm_answer("Nivå 3 gjeld fleire tenester [2], nivå 2 to [1].", nodes(), FALLBACK, "nn")
    assert answer.text == "Nivå 3 gjeld fleire tenester [1], nivå 2 to [2]."
    assert [c.section for c in answer.citations] == ["Nivå 3", "Nivå 2"]


def test_invalid_markers_are_dropped():
    answer = validate_llm_answer("BUP kan henvise [7] og nivå 2 gjeld to tenester [1].", nodes(), FALLBACK, "nn")
    assert "[7]" not in answer.text and answer.text.endswith("[1].")
    assert len(answer.citations) == 1


def test_answer_without_valid_citation_falls_back_to_extractive():
    assert validate_llm_answer("BUP kan henvise et barn til BUP.", nodes(), FALLBACK, "nn") is FALLBACK
    assert validate_llm_answer("Sjå [9].", nodes(), FALLBACK, "nn") is FALLBACK


def test_server_error_falls_back(server):
    from assistant.query import Question
    from assistant.retrieval import Hit

    FakeOpenAI.replies = [(500, "")]
    hits = [Hit(c, 1.0, 0, 0, 0.9) for c in chunks()]
    q = Question("Kva er nivå 2?", "nn", None, "none", "Kva er nivå 2?")
    assert answer_with_llm(openai_llm(server), q, hits, FALLBACK) is FALLBACK


def test_llm_answers_through_the_assistant(server, real_settings, real_embedder):
    from assistant import Assistant

    FakeOpenAI.replies = [(200, "Nivå 2 gjeld når to tenester samarbeider [1].")]
    assistant = Assistant(real_settings, real_embedder, llm=openai_llm(server))
    answer = assistant.ask("Kva nivå gjeld når to tenester samarbeider i BTI?")
    assert answer.text == "Nivå 2 gjeld når to tenester samarbeider [1]."
    assert answer.citations and answer.citations[0].n == 1
    prompt = FakeOpenAI.requests[0]["body"]["messages"][1]["content"]
    assert "[1]" in prompt and "Spørsmål: Kva nivå" in prompt


def test_llamacpp_backend_without_the_extra_says_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_llama(name, *args, **kwargs):
        if name == "llama_cpp":
            raise ImportError("No module named 'llama_cpp'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_llama)
    with pytest.raises(RuntimeError, match=r"\.\[llamacpp\]"):
        make_llm(Settings(llm_backend="llamacpp", llm_model_path="/models/x.gguf"))
    assert make_llm(Settings()) is None


def test_answer_with_llm_sends_numbered_passages_and_cites_them_with_offsets(server):
    from assistant.query import Question
    from assistant.retrieval import Hit

    FakeOpenAI.replies = [(200, "Fleire tenester er nivå 3 [2]; sjå også [6].")]
    hits = [Hit(c, 1.0, 0, 0, 0.9) for c in chunks()]
    q = Question("Kva er nivå 3 i BTI?", "nn", None, "none", "Kva er nivå 3 i BTI?")
    answer = answer_with_llm(openai_llm(server), q, hits, FALLBACK)
    messages = FakeOpenAI.requests[0]["body"]["messages"]
    assert messages[0]["content"].startswith("Du svarar") and "nynorsk" in messages[0]["content"]
    assert messages[1]["content"] == (
        "Utdrag:\n[1] (BTI, Sogndal) Oppfølging på Nivå 2 er når to tenester samarbeider.\n\n"
        "[2] (BTI, Sogndal) Nivå 3 er når fleire tenester samarbeider.\n\nSpørsmål: Kva er nivå 3 i BTI?"
    )
    assert answer.text == "Fleire tenester er nivå 3 [1]; sjå også."
    assert [(c.n, c.section, c.quote, c.start, c.end) for c in answer.citations] == [(1, "Nivå 3", "Nivå 3 er når fleire tenester samarbeider.", 80, 122)]


class FakeLlama:
    """Stands in for llama_cpp.Llama: same constructor and create_chat_completion reply shape."""

    instances: list["FakeLlama"] = []

    def __init__(self, model_path, n_ctx=512, verbose=True):
        self.model_path, self.n_ctx, self.calls = model_path, n_ctx, []
        FakeLlama.instances.append(self)

    def create_chat_completion(self, messages, temperature=0.2, max_tokens=None):
        self.calls.append({"messages": messages, "temperature": temperature, "max_tokens": max_tokens})
        return {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": self.model_path,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Nivå 2 [1]."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }


def test_llamacpp_backend_is_a_llama_index_chat_llm(monkeypatch):
    import sys
    import types

    from assistant.query import Question
    from assistant.retrieval import Hit

    FakeLlama.instances = []
    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=FakeLlama))
    llm = make_llm(Settings(llm_backend="llamacpp", llm_model_path="/models/x.gguf"))
    assert isinstance(llm, LlamaCppChat) and llm.metadata.is_chat_model
    answer = answer_with_llm(llm, Question("Kva er nivå 2?", "nn", None, "none", "Kva er nivå 2?"), [Hit(c, 1.0, 0, 0, 0.9) for c in chunks()], FALLBACK)
    assert answer.text == "Nivå 2 [1]." and answer.citations[0].section == "Nivå 2"
    (model,) = FakeLlama.instances
    assert model.model_path == "/models/x.gguf" and model.n_ctx == 4096
    sent = model.calls[0]
    assert [m["role"] for m in sent["messages"]] == ["system", "user"] and sent["temperature"] == 0.0
    assert sent["messages"][1]["content"].endswith("Spørsmål: Kva er nivå 2?")
