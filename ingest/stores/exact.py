"""Exact cosine search over a loaded build's chunk vectors, in memory.

Used for one municipality's chunks (a few hundred rows: a matrix product beats
any index and a vector store's metadata filter, which costs 130 ms at 95k
chunks), as the whole search of the in-memory test store, and as the fallback
when a vector store fails under a running assistant.
"""

from __future__ import annotations

import numpy as np

from ingest.index_data import IndexData


class ExactSearch:
    """(chunk row, cosine) pairs, best first; rows per municipality are indexed once."""

    def __init__(self, index: IndexData) -> None:
        self._matrix = index.chunk_vectors
        groups: dict[str, list[int]] = {}
        for row, chunk in enumerate(index.chunks):
            groups.setdefault(chunk.municipality, []).append(row)
        self._rows = {name: np.asarray(rows, dtype=np.int64) for name, rows in groups.items()}

    def __call__(self, vector: np.ndarray, n: int, municipality: str | None = None) -> list[tuple[int, float]]:
        if n <= 0 or not len(self._matrix):
            return []
        if municipality:
            rows = self._rows.get(municipality)
            if rows is None:
                return []
            return _top(self._matrix[rows] @ vector, n, rows)
        return _top(self._matrix @ vector, n, None)

    def close(self) -> None:
        """Nothing to release: the matrix belongs to the loaded build."""


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` highest scores, best first (a partial sort: a national index has
    95k chunks, and a full sort of them per search is most of a search's time)."""
    n = min(n, len(scores))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    best = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return best[np.argsort(-scores[best], kind="stable")]


def _top(scores: np.ndarray, n: int, rows: np.ndarray | None) -> list[tuple[int, float]]:
    best = top_indices(scores, n)
    found = rows[best] if rows is not None else best
    return [(int(r), float(scores[b])) for r, b in zip(found, best)]
