"""How vectors are kept and how a chunk's vector is made from its parts.

Unit (sentence, table row) vectors and each chunk's heading vector are the
embeddings a build stores, as float16: half the disk and memory of float32,
and a cosine error (~1e-3) far below the gaps that decide a ranking. A chunk's
vector is derived from them — the mean of its unit vectors, nudged towards its
heading — so it is never stored beside them: the vector store keeps it for
search and a loaded build recomputes it (about a second for 95k chunks).
The pipeline and every store call :func:`chunk_vectors`, so the two agree.
"""

from __future__ import annotations

import numpy as np

STORED_DTYPE = np.float16
HEADER_WEIGHT = 0.25


def stored(vectors: np.ndarray) -> np.ndarray:
    """Vectors as a build keeps them."""
    return np.ascontiguousarray(vectors, dtype=STORED_DTYPE)


def chunk_vectors(unit_vectors: np.ndarray, header_vectors: np.ndarray, units_per_chunk: np.ndarray, block: int = 16384) -> np.ndarray:
    """float32 unit-length chunk vectors; ``unit_vectors`` rows are grouped by chunk, in order.

    Works in blocks so a memory-mapped float16 matrix is never copied whole.
    """
    counts = np.asarray(units_per_chunk, dtype=np.int64)
    n, dim = len(counts), int(header_vectors.shape[1]) if len(header_vectors) else int(unit_vectors.shape[1] if unit_vectors.ndim == 2 else 0)
    out = np.empty((n, dim), dtype=np.float32)
    ends = np.cumsum(counts)
    starts = ends - counts
    for c0 in range(0, n, block):
        c1 = min(n, c0 + block)
        u0, u1 = int(starts[c0]), int(ends[c1 - 1])
        units = np.asarray(unit_vectors[u0:u1], dtype=np.float32)
        headers = np.asarray(header_vectors[c0:c1], dtype=np.float32)
        body = headers.copy()  # a chunk without units is its heading
        has = counts[c0:c1] > 0
        if has.any():
            sums = np.add.reduceat(units, (starts[c0:c1][has] - u0).astype(np.int64), axis=0)
            body[has] = sums
        body /= np.maximum(np.linalg.norm(body, axis=1, keepdims=True), 1e-12)
        vec = (1.0 - HEADER_WEIGHT) * body + HEADER_WEIGHT * headers
        vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        out[c0:c1] = vec
    return out
