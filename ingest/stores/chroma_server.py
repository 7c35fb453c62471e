"""Chroma server mode: the vectors and the CURRENT pointer in a shared Chroma server.

Several assistant processes (on one machine or many) search the same server
and follow the same pointer, so one ingest updates them all. The build's
files (texts, layout, unit vectors) stay in ``index_dir``, which every replica
must be able to read: a shared volume, or a copy synced before the pointer
moves. At 95k chunks and 515k sentences, fetching those from Chroma over HTTP
would take minutes per start; reading them from disk takes seconds.

Each build has its own collection ``fa_<build id>_chunks``; a new build sends
every vector again (Chroma cannot copy a collection outside its cloud), which
is what limits how fast a plan can be added in this mode.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ingest.errors import IndexError_
from ingest.index_data import IndexData
from ingest.settings import Settings
from ingest.stores import files
from ingest.stores.chroma_vectors import SPACE, ChromaVectors, as_index_error, chroma_settings, fatal
from ingest.stores.search import StoreSearch

POINTER_COLLECTION = "fa_pointer"


def collection_name(build_id: str) -> str:
    return f"fa_{build_id}_chunks"


class ChromaServerStore:
    """A :class:`~ingest.stores.base.BuildStore` whose vectors and pointer live in a Chroma server."""

    def __init__(self, settings: Settings) -> None:
        self.index_dir = Path(settings.index_dir)
        self._where = f"{settings.chroma_host}:{settings.chroma_port}"
        self._settings = settings
        self._client_obj: Any = None
        self._lock = threading.Lock()

    def _client(self) -> Any:
        with self._lock:
            if self._client_obj is None:
                import chromadb

                s = self._settings
                headers = {"Authorization": f"Bearer {s.chroma_token}"} if s.chroma_token else None
                try:
                    self._client_obj = chromadb.HttpClient(host=s.chroma_host, port=s.chroma_port, headers=headers, settings=chroma_settings())
                except Exception as exc:
                    raise self._unreachable(exc) from exc
            return self._client_obj

    def _unreachable(self, exc: BaseException) -> IndexError_:
        return IndexError_(f"cannot reach the Chroma server at {self._where}: {exc}")

    # --- pointer ---------------------------------------------------------------

    def current_build_id(self) -> str | None:
        try:
            pointer = self._client().get_or_create_collection(POINTER_COLLECTION)
            return (pointer.metadata or {}).get("current") or None
        except IndexError_:
            raise
        except Exception as exc:  # the server is down or refuses us
            raise self._unreachable(exc) from exc

    def set_current(self, build_id: str) -> None:
        self._client().get_or_create_collection(POINTER_COLLECTION).modify(metadata={"current": build_id})

    # --- builds ----------------------------------------------------------------

    def write_build(self, data: IndexData, base: IndexData | None = None) -> list[str]:
        """Every vector is sent (the server cannot copy a collection), so ``base`` only saves rewriting plan texts."""
        path = files.start_build(self.index_dir, data.build_id)
        try:
            client = self._client()
            name = collection_name(data.build_id)
            vectors = ChromaVectors(client.create_collection(name, metadata=SPACE, embedding_function=None))
            vectors.put([c.chunk_id for c in data.chunks], data.chunk_vectors)
            files.write_files(path, data, base)
            files.finish_build(path)
        except BaseException:
            self.remove_build(data.build_id)
            raise
        return []

    def load_build(self, build_id: str) -> IndexData:
        if not files.build_path(self.index_dir, build_id).is_dir():
            raise IndexError_(
                f"the Chroma server points at build {build_id}, but its files are not in {self.index_dir}; "
                "in server mode every replica reads the index folder (mount it, or sync it before moving the pointer)"
            )
        return files.read_build(self.index_dir, build_id)

    def open_search(self, index: IndexData) -> StoreSearch:
        try:
            vectors = ChromaVectors(self._client().get_collection(collection_name(index.build_id)))
            problems = vectors.problems(index)
        except BaseException as exc:
            if fatal(exc):
                raise
            raise as_index_error(f"the Chroma server at {self._where} cannot serve build {index.build_id}", exc) from exc
        if problems:
            raise IndexError_(f"the vectors of build {index.build_id} in the Chroma server are damaged: {'; '.join(problems)}; {files.REBUILD}")
        return StoreSearch(index, vectors.nearest)  # the client is shared by every build: nothing to release

    def verify_build(self, index: IndexData) -> list[str]:
        try:
            self.open_search(index)
        except IndexError_ as exc:
            return [str(exc)]
        return []

    def remove_build(self, build_id: str) -> None:
        try:
            self._client().delete_collection(collection_name(build_id))
        except Exception:  # already gone, or the server is down: the files go anyway
            pass
        files.remove_files(self.index_dir, build_id)

    def prune(self, keep: int) -> list[str]:
        return files.prune(self.index_dir, keep, self.current_build_id(), self.remove_build)

    def close(self) -> None:
        with self._lock:
            if self._client_obj is not None:
                self._client_obj.close()
                self._client_obj = None
