"""Dense search for one loaded build: the vector store for the whole corpus, exact search for the rest.

The vector store (Chroma) answers unfiltered queries in ~2 ms at 95k chunks.
A municipality filter is answered exactly in memory (see :mod:`ingest.stores.exact`).
If the store fails under a running assistant (its files pruned, the server
down), answers keep coming from the in-memory vectors, with a warning.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import numpy as np

from ingest.index_data import IndexData
from ingest.stores.exact import ExactSearch

log = logging.getLogger(__name__)

Nearest = Callable[[np.ndarray, int], list[tuple[str, float]]]


class StoreSearch:
    """A :class:`~ingest.stores.base.DenseSearch` over a vector store's ``nearest`` (chunk id, cosine) results."""

    def __init__(self, index: IndexData, nearest: Nearest, release: Callable[[], None] = lambda: None) -> None:
        self._build_id = index.build_id
        self._positions = index.chunk_index
        self._exact = ExactSearch(index)
        self._nearest: Nearest | None = nearest
        self._release = release
        self._lock = threading.Lock()
        self._warned = False

    def __call__(self, vector: np.ndarray, n: int, municipality: str | None = None) -> list[tuple[int, float]]:
        nearest = self._nearest
        if municipality or nearest is None:
            return self._exact(vector, n, municipality)
        try:
            found = nearest(vector, min(n, len(self._positions)))
        except Exception as exc:  # the store went away under us
            if not self._warned:
                self._warned = True
                log.warning("vector store search failed (%s: %s); using the in-memory vectors of build %s", type(exc).__name__, exc, self._build_id)
            return self._exact(vector, n, None)
        return [(self._positions[cid], score) for cid, score in found if cid in self._positions]

    def close(self) -> None:
        """Release the store's handles; searches still running or started later use the in-memory vectors."""
        with self._lock:
            if self._nearest is None:
                return
            self._nearest = None
            self._release()
