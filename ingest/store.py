"""The index on disk and in Chroma: immutable builds and an atomic pointer.

Layout under ``index_dir``::

    CURRENT                 the id of the build in use (replaced atomically)
    ingest.lock             held by a running ingest (pid inside)
    builds/<id>/chroma/     Chroma PersistentClient data (local mode)
    builds/<id>/index.json  manifest: embedder, documents, hashes, counts
    builds/<id>/chunks.jsonl, units.npy, docs/<doc_id>.txt, bm25/

A build is written completely before ``CURRENT`` points at it, so a failed or
killed ingest leaves the previous index untouched. In server mode the same
build id names the Chroma collections, and a small pointer collection in the
server plays the role of ``CURRENT`` for every app replica; side files that
are missing or belong to another build are rebuilt from Chroma itself, so the
BM25 index can never drift from the vectors.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import IndexError_
from ingest.models import Chunk, DocMeta, Unit
from ingest.settings import Settings

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
POINTER_COLLECTION = "fa_pointer"


@dataclass
class IndexData:
    """Everything the assistant needs from one build, loaded in memory."""

    build_id: str
    embedder: str
    docs: dict[str, DocMeta]
    doc_texts: dict[str, str]
    doc_hashes: dict[str, str]
    chunks: list[Chunk]
    units: list[Unit]
    unit_vectors: np.ndarray
    chunk_vectors: np.ndarray
    chunk_index: dict[str, int] = field(default_factory=dict)
    unit_index: dict[str, int] = field(default_factory=dict)  # unit id → row in unit_vectors

    def __post_init__(self) -> None:
        self.chunk_index = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.unit_index = {u.unit_id: i for i, u in enumerate(self.units)}


# --- paths and pointer -----------------------------------------------------


def builds_dir(settings: Settings) -> Path:
    return Path(settings.index_dir) / "builds"


def build_path(settings: Settings, build_id: str) -> Path:
    return builds_dir(settings) / build_id


def current_build_id(settings: Settings) -> str | None:
    """The build in use, or None when no index exists yet."""
    if settings.chroma_mode == "server":
        try:
            pointer = _client(settings, None).get_or_create_collection(POINTER_COLLECTION)
            return (pointer.metadata or {}).get("current") or None
        except Exception as exc:  # the server is down or refuses us
            raise IndexError_(f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}: {exc}") from exc
    path = Path(settings.index_dir) / "CURRENT"
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def set_current(settings: Settings, build_id: str) -> None:
    """Point at a finished build: atomic file replace, or the server's pointer collection."""
    if settings.chroma_mode == "server":
        pointer = _client(settings, None).get_or_create_collection(POINTER_COLLECTION)
        pointer.modify(metadata={"current": build_id})
        return
    index_dir = Path(settings.index_dir)
    tmp = index_dir / f"CURRENT.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(build_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / "CURRENT")


def new_build_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{int(time.time() * 1000) % 100000:05d}"


# --- Chroma ------------------------------------------------------------------


def _client(settings: Settings, build_dir: Path | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_mode == "server":
        headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, headers=headers, settings=chroma_settings)
    assert build_dir is not None
    return chromadb.PersistentClient(path=str(build_dir / "chroma"), settings=chroma_settings)


def _names(build_id: str) -> tuple[str, str, str]:
    return f"fa_{build_id}_chunks", f"fa_{build_id}_units", f"fa_{build_id}_docs"


class DenseIndex:
    """Nearest-neighbour search over chunk vectors in Chroma."""

    def __init__(self, settings: Settings, build_id: str) -> None:
        build_dir = build_path(settings, build_id)
        if settings.chroma_mode == "local" and not (build_dir / "chroma").exists():
            raise IndexError_(f"index build {build_id} has no vector store at {build_dir}; run: python -m ingest --rebuild")
        self._client = _client(settings, build_dir)
        try:
            self._chunks = self._client.get_collection(_names(build_id)[0])
        except Exception as exc:
            raise IndexError_(f"the vector store for build {build_id} is missing or corrupt ({exc}); run: python -m ingest --rebuild") from exc

    def count(self) -> int:
        return int(self._chunks.count())

    def search(self, vector: np.ndarray, n: int, municipality: str | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) pairs, best first."""
        where = {"municipality": municipality} if municipality else None
        result = self._chunks.query(query_embeddings=[vector.tolist()], n_results=n, where=where, include=["distances"])
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances)]


# --- writing a build ---------------------------------------------------------


def write_build(
    settings: Settings,
    build_id: str,
    embedder: str,
    docs: dict[str, DocMeta],
    doc_texts: dict[str, str],
    doc_hashes: dict[str, str],
    chunks: list[Chunk],
    chunk_vectors: np.ndarray,
    unit_vectors: np.ndarray,
) -> Path:
    """Write Chroma collections and side files for a new build; CURRENT is not touched."""
    build_dir = build_path(settings, build_id)
    build_dir.mkdir(parents=True, exist_ok=False)
    (build_dir / "STAGING").write_text("incomplete build\n")
    client = _client(settings, build_dir)
    chunk_name, unit_name, doc_name = _names(build_id)
    meta = {"hnsw:space": "cosine", "build_id": build_id, "embedder": embedder}
    chunk_col = client.create_collection(chunk_name, metadata=meta, embedding_function=None)
    unit_col = client.create_collection(unit_name, metadata=meta, embedding_function=None)
    doc_col = client.create_collection(doc_name, metadata={"build_id": build_id}, embedding_function=None)
    units = [u for c in chunks for u in c.units]
    _add_batched(chunk_col, [c.chunk_id for c in chunks], chunk_vectors, [c.text for c in chunks], [_chunk_meta(c) for c in chunks])
    _add_batched(unit_col, [u.unit_id for u in units], unit_vectors, [u.text for u in units], [_unit_meta(u) for u in units])
    doc_ids = sorted(doc_texts)
    _add_batched(
        doc_col,
        doc_ids,
        np.zeros((len(doc_ids), 1), dtype=np.float32),
        [doc_texts[d] for d in doc_ids],
        [{**asdict(docs[d]), "sha": doc_hashes[d]} for d in doc_ids],
    )
    _write_side_files(build_dir, build_id, embedder, docs, doc_texts, doc_hashes, chunks, unit_vectors, chunk_vectors)
    (build_dir / "STAGING").unlink()
    return build_dir


def _add_batched(collection: Any, ids: list[str], vectors: np.ndarray, documents: list[str], metadatas: list[dict]) -> None:
    step = 4000
    for i in range(0, len(ids), step):
        collection.add(
            ids=ids[i : i + step],
            embeddings=vectors[i : i + step].tolist(),
            documents=documents[i : i + step],
            metadatas=metadatas[i : i + step],
        )


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return {
        "doc_id": c.doc_id,
        "title": c.title,
        "municipality": c.municipality,
        "language": c.language,
        "section": c.section,
        "start": c.start,
        "end": c.end,
        "kind": c.kind,
    }


def _unit_meta(u: Unit) -> dict[str, Any]:
    return {"chunk_id": u.chunk_id, "doc_id": u.doc_id, "start": u.start, "end": u.end, "kind": u.kind}


def _write_side_files(
    build_dir: Path,
    build_id: str,
    embedder: str,
    docs: dict[str, DocMeta],
    doc_texts: dict[str, str],
    doc_hashes: dict[str, str],
    chunks: list[Chunk],
    unit_vectors: np.ndarray,
    chunk_vectors: np.ndarray,
) -> None:
    (build_dir / "docs").mkdir()
    for doc_id, text in doc_texts.items():
        (build_dir / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    with open(build_dir / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
    np.save(build_dir / "units.npy", unit_vectors.astype(np.float32))
    np.save(build_dir / "chunks.npy", chunk_vectors.astype(np.float32))
    manifest = {
        "format": FORMAT_VERSION,
        "build_id": build_id,
        "embedder": embedder,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "documents": {d: {**asdict(m), "sha": doc_hashes[d]} for d, m in docs.items()},
        "chunks": len(chunks),
        "units": int(unit_vectors.shape[0]),
    }
    (build_dir / "index.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def remove_build(settings: Settings, build_id: str) -> None:
    """Delete a build's side files and (server mode) its collections."""
    if settings.chroma_mode == "server":
        client = _client(settings, None)
        for name in _names(build_id):
            try:
                client.delete_collection(name)
            except Exception:  # already gone
                pass
    shutil.rmtree(build_path(settings, build_id), ignore_errors=True)


def prune_builds(settings: Settings, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` finished builds (and any staging leftovers)."""
    current = current_build_id(settings)
    root = builds_dir(settings)
    if not root.exists():
        return []
    removed = []
    builds = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)
    finished = [p for p in builds if not (p / "STAGING").exists()]
    for path in builds:
        stale_staging = (path / "STAGING").exists()
        too_old = path in finished[:-keep]
        if path.name != current and (stale_staging or too_old):
            remove_build(settings, path.name)
            removed.append(path.name)
    return removed


# --- reading a build -----------------------------------------------------------


def read_manifest(settings: Settings, build_id: str) -> dict[str, Any] | None:
    path = build_path(settings, build_id) / "index.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexError_(f"the index manifest {path} is corrupt ({exc}); run: python -m ingest --rebuild") from exc


def load_build(settings: Settings, build_id: str) -> IndexData:
    """Load a build's side data, from local files or else from Chroma itself."""
    manifest = read_manifest(settings, build_id)
    if manifest is None:
        if settings.chroma_mode == "server":
            return _load_from_chroma(settings, build_id)
        raise IndexError_(f"index build {build_id} is missing its manifest; run: python -m ingest --rebuild")
    build_dir = build_path(settings, build_id)
    try:
        chunks = [_chunk_from_json(json.loads(line)) for line in (build_dir / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line]
        vectors = np.load(build_dir / "units.npy")
        chunk_vectors = np.load(build_dir / "chunks.npy")
        doc_texts = {d: (build_dir / "docs" / f"{d}.txt").read_text(encoding="utf-8") for d in manifest["documents"]}
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise IndexError_(f"the index in {build_dir} is damaged ({type(exc).__name__}: {exc}); run: python -m ingest --rebuild") from exc
    units = [u for c in chunks for u in c.units]
    if vectors.shape[0] != len(units) or len(chunks) != manifest.get("chunks") or chunk_vectors.shape[0] != len(chunks):
        raise IndexError_(f"the index in {build_dir} is inconsistent (units {vectors.shape[0]} vs {len(units)}); run: python -m ingest --rebuild")
    docs = {d: _meta_from_json(m) for d, m in manifest["documents"].items()}
    hashes = {d: m.get("sha", "") for d, m in manifest["documents"].items()}
    return IndexData(build_id, manifest["embedder"], docs, doc_texts, hashes, chunks, units, vectors, chunk_vectors)


def _load_from_chroma(settings: Settings, build_id: str) -> IndexData:
    client = _client(settings, None)
    chunk_name, unit_name, doc_name = _names(build_id)
    try:
        chunk_col = client.get_collection(chunk_name)
        unit_col = client.get_collection(unit_name)
        doc_col = client.get_collection(doc_name)
    except Exception as exc:
        raise IndexError_(f"the Chroma collections for build {build_id} are missing ({exc}); run: python -m ingest --rebuild") from exc
    got_docs = doc_col.get(include=["documents", "metadatas"])
    docs, texts, hashes = {}, {}, {}
    for doc_id, text, meta in zip(got_docs["ids"], got_docs["documents"], got_docs["metadatas"]):
        hashes[doc_id] = meta.pop("sha", "")
        docs[doc_id] = _meta_from_json(meta)
        texts[doc_id] = text
    got_units = unit_col.get(include=["documents", "metadatas", "embeddings"])
    by_chunk: dict[str, list[tuple[Unit, np.ndarray]]] = {}
    for uid, text, meta, vec in zip(got_units["ids"], got_units["documents"], got_units["metadatas"], got_units["embeddings"]):
        unit = Unit(uid, meta["chunk_id"], meta["doc_id"], text, int(meta["start"]), int(meta["end"]), meta["kind"])
        by_chunk.setdefault(unit.chunk_id, []).append((unit, np.asarray(vec, dtype=np.float32)))
    got_chunks = chunk_col.get(include=["documents", "metadatas", "embeddings"])
    chunks, vectors, chunk_vectors = [], [], []
    rows = zip(got_chunks["ids"], got_chunks["documents"], got_chunks["metadatas"], got_chunks["embeddings"])
    order = sorted(rows, key=lambda r: (r[2]["doc_id"], r[2]["start"]))
    for cid, text, meta, chunk_vec in order:
        chunk_vectors.append(np.asarray(chunk_vec, dtype=np.float32))
        pairs = sorted(by_chunk.get(cid, []), key=lambda p: p[0].start)
        chunks.append(
            Chunk(cid, meta["doc_id"], meta["title"], meta["municipality"], meta["language"], meta["section"], text,
                  int(meta["start"]), int(meta["end"]), meta["kind"], [p[0] for p in pairs])
        )
        vectors.extend(p[1] for p in pairs)
    embedder = (chunk_col.metadata or {}).get("embedder", "")
    matrix = np.stack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)
    units = [u for c in chunks for u in c.units]
    chunk_matrix = np.stack(chunk_vectors) if chunk_vectors else np.zeros((0, 1), dtype=np.float32)
    return IndexData(build_id, embedder, docs, texts, hashes, chunks, units, matrix, chunk_matrix)


def _chunk_from_json(data: dict[str, Any]) -> Chunk:
    units = [Unit(**u) for u in data.pop("units")]
    return Chunk(**data, units=units)


def _meta_from_json(data: dict[str, Any]) -> DocMeta:
    keys = ("doc_id", "title", "municipality", "language", "period", "source")
    return DocMeta(**{k: str(data.get(k, "")) for k in keys})
