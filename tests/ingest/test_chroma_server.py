"""Scale-out: the index in a real Chroma server (``chroma run``), shared by replicas."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from tests.helpers import free_port, wait_for_port

from assistant import Assistant
from ingest.embedding import HashEmbedder
from ingest.errors import IndexError_
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ingest.stores import files, make_store
from ingest.stores.chroma_server import ChromaServerStore, collection_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-data")
    log = open(data.parent / "chroma.log", "w")
    proc = subprocess.Popen([chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(proc, port, 60, lambda: "chroma server")
    yield port
    proc.terminate()
    proc.wait(timeout=15)
    log.close()


def server_settings(tmp_path: Path, port: int, name: str, corpus: Path = ROOT / "corpus") -> Settings:
    return Settings(index_dir=tmp_path / name, corpus_dir=corpus, chroma_mode="server", chroma_port=port)


def test_ingest_into_a_chroma_server_and_answer_through_it(chroma_server, tmp_path, tmp_corpus, real_embedder):
    writer = server_settings(tmp_path, chroma_server, "shared-index", tmp_corpus)
    report = run_ingest(writer, embedder=real_embedder)
    assert report.documents == 5
    store = make_store(writer)
    assert isinstance(store, ChromaServerStore) and store.current_build_id() == report.build_id
    assert store.verify_build(store.load_build(report.build_id)) == []
    assert not (files.build_path(writer.index_dir, report.build_id) / "chroma").exists()  # the vectors are in the server
    assistant = Assistant(writer, real_embedder)
    answer = assistant.ask("Hvem kan henvise til BUP i Sør-Aurdal?")
    assert not answer.abstained and answer.citations[0].municipality == "Sør-Aurdal"

    # A replica reads the same index folder and follows the server's pointer.
    other = Assistant(writer.model_copy(), real_embedder)
    assert other.build_id == report.build_id
    assert other.ask("Hvem kan henvise til BUP i Sør-Aurdal?").text == answer.text

    # A replica that cannot see the index folder is told so, not given a traceback.
    with pytest.raises(IndexError_, match="index folder"):
        Assistant(server_settings(tmp_path, chroma_server, "no-folder"), real_embedder)

    # Unchanged corpus: nothing to do; a new build moves the shared pointer for everyone.
    assert run_ingest(writer, embedder=real_embedder).up_to_date
    path = tmp_corpus / "sogndal-samhandlingsmodell.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nSamhandlingsmodellen blir evaluert kvart år.\n", encoding="utf-8")
    rebuilt = run_ingest(writer, embedder=real_embedder)
    assert rebuilt.changed == ["sogndal-samhandlingsmodell"]
    assert store.current_build_id() == rebuilt.build_id
    time.sleep(1.1)
    assert other.ask("Kva er nivå 2 i BTI?").citations
    assert other.build_id == rebuilt.build_id


def test_a_build_missing_from_the_server_is_found_and_rewritten_by_ingest(chroma_server, tmp_path, tmp_corpus):
    settings = server_settings(tmp_path, chroma_server, "repair", tmp_corpus).model_copy(update={"embed_backend": "hash"})
    first = run_ingest(settings, embedder=HashEmbedder())
    store = make_store(settings)
    store._client().delete_collection(collection_name(first.build_id))  # an operator wiped the server's collection
    with pytest.raises(IndexError_, match="python -m ingest"):
        Assistant(settings, HashEmbedder())
    repaired = run_ingest(settings, embedder=HashEmbedder())
    assert repaired.repaired and repaired.embedded == 0
    assert Assistant(settings, HashEmbedder()).build_id == repaired.build_id


def test_unreachable_server_gives_a_clear_error(tmp_path):
    settings = server_settings(tmp_path, free_port(), "nowhere").model_copy(update={"embed_backend": "hash"})
    with pytest.raises(IndexError_, match="Chroma server"):
        Assistant(settings, HashEmbedder())
