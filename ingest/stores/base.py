"""What every index store does, as a Protocol: the pipeline and the assistant see only this.

A store keeps immutable *builds* and a pointer to the one in use (CURRENT).
A build is written completely before the pointer moves, so a failed or killed
ingest leaves the previous index as it was. Implementations: the embedded
default (:mod:`ingest.stores.local`), Chroma server mode
(:mod:`ingest.stores.chroma_server`), and an in-memory fake for fast tests
(``tests/fakes.py``); :func:`ingest.stores.make_store` picks one from settings.
"""

from __future__ import annotations

import os
import time
from typing import Protocol

import numpy as np

from ingest.index_data import IndexData


class DenseSearch(Protocol):
    """Nearest chunks to a query vector in one loaded build, as (chunk row, cosine) best first.

    This is the ``dense_search`` callable :class:`assistant.retrieval.HybridRetriever` takes.
    """

    def __call__(self, vector: np.ndarray, n: int, municipality: str | None = None) -> list[tuple[int, float]]: ...

    def close(self) -> None:
        """Release files and connections; later calls fall back to exact in-memory search."""


class BuildStore(Protocol):
    """Where builds live and which one is current."""

    def current_build_id(self) -> str | None:
        """The build in use, or None when there is no index yet. Raises IndexError_ if unreachable."""

    def set_current(self, build_id: str) -> None:
        """Point at a finished build, atomically for every reader."""

    def write_build(self, data: IndexData, base: IndexData | None = None) -> list[str]:
        """Write ``data`` as build ``data.build_id``; CURRENT is not touched. On any error nothing is left behind.

        ``base`` is the earlier build whose stored vectors may be reused (only the
        difference is written). Returns what was wrong with ``base``'s vector store
        if it could not be reused (every vector was written instead).
        """

    def load_build(self, build_id: str) -> IndexData:
        """A build's data. Raises IndexError_ (saying how to rebuild) if it is missing or damaged."""

    def open_search(self, index: IndexData) -> DenseSearch:
        """Dense search over a loaded build. Raises IndexError_ if its vector store is unusable."""

    def verify_build(self, index: IndexData) -> list[str]:
        """Cheap integrity check of a loaded build's vector store (counts, ids, a sample query): the problems found.

        Must not disturb assistants reading the build at the same time.
        """

    def remove_build(self, build_id: str) -> None:
        """Delete a build and everything it stored."""

    def prune(self, keep: int) -> list[str]:
        """Remove unfinished builds and all but the newest ``keep`` finished ones (never CURRENT)."""

    def close(self) -> None:
        """Release connections held by the store itself."""


def new_build_id() -> str:
    """Sortable by time, unique per process: names a build folder and its collections."""
    return time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{int(time.time() * 1000) % 100000:05d}"
