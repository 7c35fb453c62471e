"""The embedded default: builds on local disk, each with its own Chroma PersistentClient.

    index_dir/CURRENT               the id of the build in use (replaced atomically)
    index_dir/builds/<id>/          the build's files (see :mod:`ingest.stores.files`)
    index_dir/builds/<id>/chroma/   its chunk vectors in one Chroma collection

A new build copies the previous build's Chroma folder (a file copy: ~1 s at
95k chunks, where re-adding every vector takes minutes), checks the copy and
applies only the difference. Chroma itself rewrites parts of its folder each
time a client opens it and is not made for several processes opening one
folder; the assistant and ingest each open a build briefly and a torn copy is
detected, but a deployment with several assistant processes should use server
mode (:mod:`ingest.stores.chroma_server`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import IndexError_
from ingest.index_data import IndexData
from ingest.settings import Settings
from ingest.stores import files
from ingest.stores.chroma_vectors import SPACE, ChromaVectors, as_index_error, chroma_settings, fatal
from ingest.stores.search import StoreSearch

COLLECTION = "chunks"

log = logging.getLogger(__name__)


class LocalStore:
    """A :class:`~ingest.stores.base.BuildStore` on the local file system."""

    def __init__(self, settings: Settings) -> None:
        self.index_dir = Path(settings.index_dir)

    # --- pointer ---------------------------------------------------------------

    def current_build_id(self) -> str | None:
        try:
            value = (self.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexError_(f"cannot read {self.index_dir / 'CURRENT'} ({exc}); {files.REBUILD}") from exc
        return value or None

    def set_current(self, build_id: str) -> None:
        tmp = self.index_dir / f"CURRENT.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(build_id + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.index_dir / "CURRENT")

    # --- builds ----------------------------------------------------------------

    def write_build(self, data: IndexData, base: IndexData | None = None) -> list[str]:
        path = files.start_build(self.index_dir, data.build_id)
        try:
            problems = self._write_vectors(path, data, base)
            files.write_files(path, data, base)
            files.finish_build(path)
        except BaseException:
            files.remove_files(self.index_dir, data.build_id)
            raise
        return problems

    def _write_vectors(self, path: Path, data: IndexData, base: IndexData | None) -> list[str]:
        """Copy the base build's vector store and apply the difference, or write every vector."""
        problems = self._copy_checked(base, path / "chroma") if base is not None else []
        if base is not None and not problems:
            client = self._client(path / "chroma")
            try:
                _apply_difference(ChromaVectors(client.get_collection(COLLECTION)), base, data)
            finally:
                client.close()
            return []
        client = self._client(path / "chroma")
        try:
            vectors = ChromaVectors(client.create_collection(COLLECTION, metadata=SPACE, embedding_function=None))
            vectors.put([c.chunk_id for c in data.chunks], data.chunk_vectors)
        finally:
            client.close()
        return problems

    def _copy_checked(self, base: IndexData, target: Path | None) -> list[str]:
        """Copy ``base``'s vector store and check the copy holds ``base``'s vectors: the problems found.

        The copy is checked, never the original: Chroma rewrites its files whenever
        a client opens them, and assistants may be reading the original. A good copy
        is moved to ``target`` (or dropped when ``target`` is None); a bad one is dropped.
        """
        source = self._chroma_dir(base.build_id)
        if not (source / "chroma.sqlite3").is_file():
            return [f"index build {base.build_id} has no vector store at {source}"]
        parent = target.parent if target is not None else self.index_dir
        trial = Path(tempfile.mkdtemp(prefix="chroma-check-", dir=parent))  # a client that failed on a path poisons Chroma's cache for it
        shutil.rmtree(trial)
        shutil.copytree(source, trial)
        client = None
        try:
            client = self._client(trial)
            problems = ChromaVectors(client.get_collection(COLLECTION)).problems(base)
        except BaseException as exc:
            if fatal(exc):
                raise
            problems = [f"{type(exc).__name__}: {exc}"]
        finally:
            if client is not None:
                client.close()
        if problems or target is None:
            shutil.rmtree(trial, ignore_errors=True)
        else:
            trial.rename(target)
        if problems:
            log.warning("the vector store of build %s is not usable (%s)", base.build_id, problems[0])
        return problems

    def load_build(self, build_id: str) -> IndexData:
        return files.read_build(self.index_dir, build_id)

    def open_search(self, index: IndexData) -> StoreSearch:
        client = None
        try:
            client = self._open(index.build_id)
            vectors = ChromaVectors(client.get_collection(COLLECTION))
            problems = vectors.problems(index)
        except BaseException as exc:
            if client is not None:
                client.close()
            if fatal(exc):
                raise
            raise as_index_error(f"the vector store of build {index.build_id} cannot be read", exc) from exc
        if problems:
            client.close()
            raise IndexError_(f"the vector store of build {index.build_id} is damaged: {'; '.join(problems)}; {files.REBUILD}")
        return StoreSearch(index, vectors.nearest, client.close)

    def verify_build(self, index: IndexData) -> list[str]:
        return self._copy_checked(index, None)

    def remove_build(self, build_id: str) -> None:
        files.remove_files(self.index_dir, build_id)

    def prune(self, keep: int) -> list[str]:
        """Old builds, and copies a killed ingest left while checking a vector store (prune runs under the ingest lock)."""
        for leftover in self.index_dir.glob("chroma-check-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return files.prune(self.index_dir, keep, self.current_build_id(), self.remove_build)

    def close(self) -> None:
        """Nothing held between calls: each loaded build's search owns its client."""

    # --- Chroma ------------------------------------------------------------------

    def _chroma_dir(self, build_id: str) -> Path:
        return files.build_path(self.index_dir, build_id) / "chroma"

    def _open(self, build_id: str) -> Any:
        folder = self._chroma_dir(build_id)
        if not (folder / "chroma.sqlite3").is_file():  # opening would create an empty store in its place
            raise IndexError_(f"index build {build_id} has no vector store at {folder}; {files.REBUILD}")
        return self._client(folder)

    @staticmethod
    def _client(folder: Path) -> Any:
        import chromadb

        return chromadb.PersistentClient(path=str(folder), settings=chroma_settings())


def _apply_difference(vectors: ChromaVectors, base: IndexData, data: IndexData) -> None:
    """Make a copy of ``base``'s vectors hold ``data``'s: delete the gone, upsert the new and the changed.

    A chunk of a document whose content hash is the same in both builds was copied row for row
    (see :mod:`ingest.pipeline`), so only the other documents' shared chunks are compared: at
    national scale comparing every vector costs a second for one added plan."""
    gone = [cid for cid in base.chunk_index if cid not in data.chunk_index]
    vectors.delete(gone)
    kept = {d for d, sha in data.doc_hashes.items() if base.doc_hashes.get(d) == sha}
    changed = [i for i, c in enumerate(data.chunks)
               if (old := base.chunk_index.get(c.chunk_id)) is None
               or (c.doc_id not in kept and not np.array_equal(data.chunk_vectors[i], base.chunk_vectors[old]))]
    vectors.put([data.chunks[r].chunk_id for r in changed], data.chunk_vectors[changed])
