"""The BM25 index of a build, kept on disk beside the index so a national index loads fast.

Tokenising 95k chunks (lemmas, shared spellings, stems) and indexing them is most of what loading
a 400x index costs (~15 s of ~20 s on 2 cores). The result depends only on the build's chunks and
on the tokeniser, so it is saved once, under ``<index>/cache/bm25/<build>-<fingerprint>/``, and read
back by every later start and by every app replica sharing the index folder. The fingerprint covers
what tokens are made from (the lexicon data, the code of :mod:`assistant.text`, the lemma and stem
libraries' versions): editing the lexicon makes a new cache instead of reading a stale one. A cache
that cannot be read is rebuilt; one that cannot be written (a read-only index folder) is skipped.
Writes go to a temporary folder renamed into place, so two processes never read a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from assistant import text as text_module
from assistant.lexicon import LEXICON_PATH

log = logging.getLogger(__name__)

KEEP = 4  # caches kept (the newest builds'); older ones are removed when a new one is written
_META = "meta.json"


def fingerprint(chunk_ids: list[str]) -> str:
    """What the cached index was made from: the tokeniser and the chunks, in order."""
    h = hashlib.sha256()
    h.update(LEXICON_PATH.read_bytes())
    h.update(Path(text_module.__file__).read_bytes())
    for dist in ("simplemma", "PyStemmer", "bm25s"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?".encode())
    for chunk_id in chunk_ids:
        h.update(chunk_id.encode() + b"\0")
    return h.hexdigest()[:16]


def load(root: Path, build_id: str, key: str) -> Any | None:
    """The saved bm25s model for this build and key, or None (missing, other key, unreadable)."""
    import bm25s

    folder = root / f"{build_id}-{key}"
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        if meta.get("key") != key:
            return None
        return bm25s.BM25.load(str(folder), mmap=False, show_progress=False, verbosity=0)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except Exception as exc:  # a damaged cache is rebuilt, never trusted
        log.warning("BM25 cache %s could not be read (%s); rebuilding it", folder, exc)
        return None


def save(root: Path, build_id: str, key: str, model: Any) -> None:
    """Save ``model`` for this build and key (atomically), and drop the oldest caches."""
    folder = root / f"{build_id}-{key}"
    if folder.exists():
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
        model.save(str(tmp), show_progress=False)
        (tmp / _META).write_text(json.dumps({"key": key, "build_id": build_id}), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:  # another process got there first
            shutil.rmtree(tmp, ignore_errors=True)
        _prune(root)
    except OSError as exc:
        log.info("BM25 cache not written to %s: %s", root, exc)


def _prune(root: Path) -> None:
    """Keep the newest caches; remove temporary folders a killed process left (older than an hour)."""
    now = time.time()
    folders = [p for p in root.iterdir() if p.is_dir()]
    for tmp in (p for p in folders if p.name.startswith(".tmp-") and now - p.stat().st_mtime > 3600):
        shutil.rmtree(tmp, ignore_errors=True)
    caches = sorted((p for p in folders if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in caches[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
