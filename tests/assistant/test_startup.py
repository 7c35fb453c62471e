"""A damaged index never stops the assistant with a traceback (issue 13): the CLI says what to run,
the app starts and answers 'not ready' until ingest has repaired the index. Real damaged sqlite file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.arguments import AskArgumentError
from assistant.startup import IndexUnavailable, open_assistant
from ingest.embedding import HashEmbedder
from ingest.pipeline import run_ingest
from ingest.stores import files
from tests.helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def damage_vector_store(settings, build_id: str) -> None:
    sqlite = files.build_path(settings.index_dir, build_id) / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(os.urandom(100_000))


def test_an_unusable_index_gives_a_not_ready_answer_and_recovers_after_ingest(hash_settings, local_store):
    report = run_ingest(hash_settings, embedder=HashEmbedder(), store=local_store)
    damage_vector_store(hash_settings, report.build_id)
    assistant = open_assistant(hash_settings, retry_s=0.0)
    assert isinstance(assistant, IndexUnavailable) and "python -m ingest" in assistant.problem
    answer = assistant.ask("Kva er nivå 2 i BTI?")
    assert answer.abstained and "python -m ingest" in answer.text and answer.language == "nn"
    assert assistant.index is None and assistant.build_id == ""
    with pytest.raises(AskArgumentError):
        assistant.ask("Kva er BTI?", municipality=5)
    repaired = run_ingest(hash_settings, embedder=HashEmbedder(), store=local_store)
    assert repaired.repaired
    answer = assistant.ask("Hvem kan henvise til BUP i Sør-Aurdal?")
    assert "python -m ingest" not in answer.text and assistant.build_id == repaired.build_id


@pytest.mark.slow
def test_the_cli_says_rebuild_and_never_shows_a_traceback(hash_settings):
    report = run_ingest(hash_settings, embedder=HashEmbedder())
    damage_vector_store(hash_settings, report.build_id)
    env = {**os.environ, "FA_INDEX_DIR": str(hash_settings.index_dir), "FA_CORPUS_DIR": str(hash_settings.corpus_dir), "FA_EMBED_BACKEND": "hash"}
    asked = subprocess.run([sys.executable, "-m", "assistant", "ask", "Kva er BTI?"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert asked.returncode == 2 and "python -m ingest" in asked.stderr and "Traceback" not in asked.stderr + asked.stdout
    ingested = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert ingested.returncode == 0 and "repaired:" in ingested.stdout and "embedded: 0" in ingested.stdout
    again = subprocess.run([sys.executable, "-m", "assistant", "ask", "Kva er BTI?"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout.strip()


@pytest.mark.slow
def test_the_app_starts_with_a_damaged_index_and_says_what_is_wrong(hash_settings, tmp_path):
    report = run_ingest(hash_settings, embedder=HashEmbedder())
    damage_vector_store(hash_settings, report.build_id)
    port = free_port()
    env = {**os.environ, "FA_INDEX_DIR": str(hash_settings.index_dir), "FA_CORPUS_DIR": str(hash_settings.corpus_dir), "FA_EMBED_BACKEND": "hash",
           "FA_PORT": str(port), "FA_FEEDBACK_DB": str(tmp_path / "fb.db")}
    log_path = tmp_path / "app.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(proc, port, 90, log_path.read_text)
            from gradio_client import Client

            result = Client(f"http://127.0.0.1:{port}/", verbose=False).predict("Kva er nivå 2 i BTI?", "Alle", [], api_name="/ask")
            assert result["abstained"] and "python -m ingest" in result["text"]
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    text = log_path.read_text()
    assert "the index cannot be used" in text and "Traceback" not in text
