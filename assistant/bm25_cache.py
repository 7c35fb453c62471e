"""The BM25 token table of a build, kept on disk beside the index so a national index loads fast.

Tokenising 95k chunks (lemmas, shared spellings, stems) is most of what a first load of a 400x
index would cost (~6 s on 2 cores). A chunk's tokens depend only on its text and on the tokeniser,
so they are saved once per build, under ``<index>/cache/bm25/<build>-<fingerprint>.npz``, and:

- read back by every later start and by every app replica sharing the index folder;
- written by ``python -m ingest`` before the new build goes live (:func:`preparer`), copying the
  rows of every unchanged chunk from the previous build's table, so adding one plan tokenises
  only that plan and the first start after it reads a finished table.

The fingerprint covers what tokens are made from (the lexicon data, the code of
:mod:`assistant.text`, the lemma and stem libraries' versions): editing the lexicon makes a new
table instead of reading a stale one. A table that cannot be read is rebuilt; one that cannot be
written (a read-only index folder) is skipped. Writes go to a temporary file renamed into place,
so two processes never read a half-written one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from assistant import text as text_module
from assistant.bm25 import TokenTable, chunk_keys, tokenise
from assistant.lexicon import LEXICON_PATH
from ingest.index_data import IndexData
from ingest.models import Chunk

log = logging.getLogger(__name__)

KEEP = 4  # tables kept (the newest builds'); older ones are removed when a new one is written
SUFFIX = ".npz"


def folder(index_dir: Path | str) -> Path:
    """Where an index folder keeps its BM25 tables."""
    return Path(index_dir) / "cache" / "bm25"


def fingerprint() -> str:
    """What tokens are made from: the lexicon data, the tokeniser's code, the libraries' versions."""
    h = hashlib.sha256()
    h.update(LEXICON_PATH.read_bytes())
    h.update(Path(text_module.__file__).read_bytes())
    for dist in ("simplemma", "PyStemmer"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?".encode())
    return h.hexdigest()[:16]


def table_for(root: Path, build_id: str, chunks: Sequence[Chunk]) -> TokenTable:
    """The token table of this build: read if saved and it fits the chunks, else made (reusing the
    newest saved table's rows for unchanged chunks) and saved."""
    key = fingerprint()
    path = root / f"{build_id}-{key}{SUFFIX}"
    keys = chunk_keys(chunks)
    saved = read(path)
    if saved is not None and np.array_equal(saved.keys, keys):
        return saved
    table = tokenise(chunks, keys, saved or _newest(root, key, path))
    write(path, table)
    return table


def preparer(index_dir: Path | str) -> Callable[[IndexData], None]:
    """For ``run_ingest(prepare=…)``: save a new build's token table before the build goes live."""
    root = folder(index_dir)

    def prepare(data: IndexData) -> None:
        table_for(root, data.build_id, data.chunks)

    return prepare


def read(path: Path) -> TokenTable | None:
    """A saved table, or None (missing or unreadable: a damaged table is rebuilt, never trusted)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            vocab = npz["vocab"].tobytes().decode("utf-8").split("\n") if len(npz["vocab"]) else []
            table = TokenTable(vocab, npz["indptr"], npz["ids"], npz["keys"])
    except FileNotFoundError:
        return None
    except Exception as exc:
        log.warning("BM25 table %s could not be read (%s); rebuilding it", path, exc)
        return None
    if len(table.indptr) != len(table.keys) + 1 or table.indptr[-1] != len(table.ids) or (len(table.ids) and table.ids.max() >= len(vocab)):
        log.warning("BM25 table %s does not add up; rebuilding it", path)
        return None
    return table


def write(path: Path, table: TokenTable) -> None:
    """Save ``table`` atomically and drop the oldest tables; a folder that cannot be written is skipped."""
    vocab = np.frombuffer("\n".join(table.vocab).encode("utf-8"), dtype=np.uint8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, vocab=vocab, indptr=table.indptr, ids=table.ids, keys=table.keys)
        os.chmod(tmp, 0o644)  # readable by every app replica, like the index's other files
        os.replace(tmp, path)
        _prune(path.parent)
    except OSError as exc:
        log.info("BM25 table not written to %s: %s", path.parent, exc)


def _newest(root: Path, key: str, other_than: Path) -> TokenTable | None:
    """The newest saved table made by the same tokeniser: the rows a new build can copy."""
    try:
        candidates = sorted(root.glob(f"*-{key}{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for path in (p for p in candidates if p != other_than):
        table = read(path)
        if table is not None:
            return table
    return None


def _prune(root: Path) -> None:
    """Keep the newest tables; remove temporary files a killed process left (older than an hour)."""
    now = time.time()
    for old_format in (p for p in root.iterdir() if p.is_dir()):  # earlier versions saved a folder per build
        shutil.rmtree(old_format, ignore_errors=True)
    files = [p for p in root.iterdir() if p.is_file()]
    for tmp in (p for p in files if p.name.startswith(".tmp-") and now - p.stat().st_mtime > 3600):
        tmp.unlink(missing_ok=True)
    tables = sorted((p for p in files if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in tables[KEEP:]:
        old.unlink(missing_ok=True)
