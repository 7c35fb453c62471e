"""A build's files under ``index_dir/builds/<id>/``, shared by every store that keeps builds on disk.

    index.json            manifest: format, embedder, documents (metadata + content hash), counts
    layout.json/.npz      chunk and unit ids, offsets, sections: where each text sits in its document
    docs/<doc_id>.txt     the cleaned document texts (hard-linked from the previous build when unchanged)
    units.f16.npy         unit (sentence, table row) vectors, float16, memory-mapped when loaded
    headers.f16.npy       each chunk's heading vector, float16
    STAGING               present while the build is being written

Chunk and unit texts are not stored: they are slices of the document text, so
a manifest edit (title, municipality) reaches every chunk without re-embedding.
Chunk vectors are not stored here either (see :mod:`ingest.vectors`).
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ingest import vectors
from ingest.errors import IndexError_
from ingest.index_data import IndexData
from ingest.models import Chunk, DocMeta, Unit

FORMAT_VERSION = 2
STAGING = "STAGING"
REBUILD = "run: python -m ingest (it verifies and repairs the index) or python -m ingest --rebuild"
_CHUNK_KINDS = ("text", "row")
_UNIT_KINDS = ("sentence", "row")


def builds_dir(index_dir: Path) -> Path:
    return Path(index_dir) / "builds"


def build_path(index_dir: Path, build_id: str) -> Path:
    return builds_dir(index_dir) / build_id


def start_build(index_dir: Path, build_id: str) -> Path:
    """Create the build folder, marked unfinished until :func:`finish_build`."""
    path = build_path(index_dir, build_id)
    path.mkdir(parents=True, exist_ok=False)
    (path / STAGING).write_text("incomplete build\n")
    return path


def finish_build(path: Path) -> None:
    (path / STAGING).unlink()


def write_files(path: Path, data: IndexData, base: IndexData | None = None) -> None:
    """Write everything but the vector store; texts of documents unchanged since ``base`` are hard-linked."""
    if data.header_vectors is None or len(data.header_vectors) != len(data.chunks):
        raise ValueError("a build needs one heading vector per chunk (IndexData.header_vectors)")
    if len(data.unit_vectors) != len(data.units):
        raise ValueError(f"{len(data.unit_vectors)} unit vectors for {len(data.units)} units")
    _write_docs(path / "docs", data, base)
    _write_layout(path, data)
    np.save(path / "units.f16.npy", vectors.stored(data.unit_vectors))
    np.save(path / "headers.f16.npy", vectors.stored(data.header_vectors))
    manifest = {
        "format": FORMAT_VERSION,
        "build_id": data.build_id,
        "embedder": data.embedder,
        "dim": int(data.unit_vectors.shape[1]) if data.unit_vectors.ndim == 2 else 0,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "documents": {d: {**asdict(m), "sha": data.doc_hashes[d]} for d, m in data.docs.items()},
        "chunks": len(data.chunks),
        "units": len(data.units),
    }
    (path / "index.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def _write_docs(folder: Path, data: IndexData, base: IndexData | None) -> None:
    folder.mkdir()
    base_dir = folder.parent.parent / base.build_id / "docs" if base is not None else None  # builds are siblings
    base_hashes = base.doc_hashes if base is not None else {}
    for doc_id, text in data.doc_texts.items():
        target = folder / f"{doc_id}.txt"
        if base_dir is not None and base_hashes.get(doc_id) == data.doc_hashes.get(doc_id):
            try:
                os.link(base_dir / f"{doc_id}.txt", target)
                continue
            except OSError:
                pass  # another file system, or the base file is gone: write it
        target.write_text(text, encoding="utf-8")


def _write_layout(path: Path, data: IndexData) -> None:
    docs: dict[str, int] = {}
    sections: dict[str, int] = {}
    for chunk in data.chunks:
        text = data.doc_texts[chunk.doc_id]
        if text[chunk.start : chunk.end] != chunk.text:
            raise ValueError(f"chunk {chunk.chunk_id} of {chunk.doc_id} is not the text at its offsets")
        docs.setdefault(chunk.doc_id, len(docs))
        sections.setdefault(chunk.section, len(sections))
    units = data.units
    arrays = {
        "chunk_ids": np.array([c.chunk_id for c in data.chunks], dtype=bytes),
        "chunk_doc": np.array([docs[c.doc_id] for c in data.chunks], dtype=np.int32),
        "chunk_section": np.array([sections[c.section] for c in data.chunks], dtype=np.int32),
        "chunk_start": np.array([c.start for c in data.chunks], dtype=np.int64),
        "chunk_end": np.array([c.end for c in data.chunks], dtype=np.int64),
        "chunk_kind": np.array([_CHUNK_KINDS.index(c.kind) for c in data.chunks], dtype=np.uint8),
        "chunk_units": np.array([len(c.units) for c in data.chunks], dtype=np.int32),
        "unit_ids": np.array([u.unit_id for u in units], dtype=bytes),
        "unit_start": np.array([u.start for u in units], dtype=np.int64),
        "unit_end": np.array([u.end for u in units], dtype=np.int64),
        "unit_kind": np.array([_UNIT_KINDS.index(u.kind) for u in units], dtype=np.uint8),
    }
    np.savez(path / "layout.npz", **arrays)
    (path / "layout.json").write_text(json.dumps({"docs": list(docs), "sections": list(sections)}, ensure_ascii=False), encoding="utf-8")


def read_manifest(index_dir: Path, build_id: str) -> dict[str, Any]:
    path = build_path(index_dir, build_id) / "index.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexError_(f"index build {build_id} is missing its manifest ({path}); {REBUILD}") from None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexError_(f"the index manifest {path} is damaged ({exc}); {REBUILD}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        found = manifest.get("format") if isinstance(manifest, dict) else "?"
        raise IndexError_(f"index build {build_id} has format {found}, this version reads format {FORMAT_VERSION}; {REBUILD}")
    return manifest


def read_build(index_dir: Path, build_id: str) -> IndexData:
    """Load a build's files; any damage becomes an IndexError_ that says how to repair it.

    The chunk vectors are derived from the unit and heading vectors in a second
    thread (numpy releases the GIL) while this one builds the chunk and unit objects.
    """
    path = build_path(index_dir, build_id)
    if (path / STAGING).exists():
        raise IndexError_(f"index build {build_id} was never finished; {REBUILD}")
    manifest = read_manifest(index_dir, build_id)
    try:
        names, arrays = _read_layout_arrays(path)
        unit_vectors = _map(path / "units.f16.npy")
        header_vectors = _map(path / "headers.f16.npy")
        _check_shapes(manifest, arrays, unit_vectors, header_vectors)
        with ThreadPoolExecutor(max_workers=1) as pool:
            derived = pool.submit(vectors.chunk_vectors, unit_vectors, header_vectors, arrays["chunk_units"])
            docs = {d: _meta(m) for d, m in manifest["documents"].items()}
            hashes = {d: str(m.get("sha", "")) for d, m in manifest["documents"].items()}
            texts = {d: (path / "docs" / f"{d}.txt").read_text(encoding="utf-8") for d in docs}
            chunks = _objects(names, arrays, docs, texts)
            chunk_vectors = derived.result()
    except IndexError_:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexError_(f"the index in {path} is damaged ({type(exc).__name__}: {exc}); {REBUILD}") from exc
    for matrix in (unit_vectors, header_vectors):
        _drop_pages(matrix)  # read once to derive chunk vectors; answers page rows back in as needed
    units = [u for c in chunks for u in c.units]
    return IndexData(build_id, manifest["embedder"], docs, texts, hashes, chunks, units, unit_vectors, chunk_vectors, header_vectors)


def _check_shapes(manifest: dict[str, Any], arrays: dict[str, np.ndarray], unit_vectors: np.ndarray, header_vectors: np.ndarray) -> None:
    dim, n_chunks, n_units = manifest.get("dim"), len(arrays["chunk_ids"]), len(arrays["unit_ids"])
    if n_chunks != manifest.get("chunks") or n_units != manifest.get("units") or int(arrays["chunk_units"].sum()) != n_units:
        raise ValueError(f"the manifest counts {manifest.get('chunks')} chunks / {manifest.get('units')} units, the layout {n_chunks} / {n_units}")
    if unit_vectors.shape != (n_units, dim) or header_vectors.shape != (n_chunks, dim):
        raise ValueError(f"vector shapes {unit_vectors.shape} / {header_vectors.shape} do not fit {n_units} units / {n_chunks} chunks of dim {dim}")


def _read_layout_arrays(path: Path) -> tuple[dict[str, list[str]], dict[str, np.ndarray]]:
    names = json.loads((path / "layout.json").read_text(encoding="utf-8"))
    with np.load(path / "layout.npz", allow_pickle=False) as npz:
        return names, {key: npz[key] for key in npz.files}


def _objects(names: dict[str, list[str]], a: dict[str, np.ndarray], docs: dict[str, DocMeta], texts: dict[str, str]) -> list[Chunk]:
    """Chunk and Unit objects, texts sliced from their documents: the loop that dominates loading (515k units at 400x)."""
    doc_names, sections = names["docs"], names["sections"]
    cids = a["chunk_ids"].astype(str).tolist()
    uids = a["unit_ids"].astype(str).tolist()
    cdoc, csec, cstart, cend, ckind, cunits = (a[k].tolist() for k in ("chunk_doc", "chunk_section", "chunk_start", "chunk_end", "chunk_kind", "chunk_units"))
    ustart, uend, ukind = (a[k].tolist() for k in ("unit_start", "unit_end", "unit_kind"))
    chunks: list[Chunk] = []
    row = 0
    for i, cid in enumerate(cids):
        doc_id = doc_names[cdoc[i]]
        meta, text = docs[doc_id], texts[doc_id]
        if cend[i] > len(text):
            raise ValueError(f"chunk {cid} ends at {cend[i]}, past the end of {doc_id} ({len(text)} characters)")
        units = [
            Unit(uids[j], cid, doc_id, text[ustart[j] : uend[j]], ustart[j], uend[j], _UNIT_KINDS[ukind[j]])  # type: ignore[arg-type]
            for j in range(row, row + cunits[i])
        ]
        row += cunits[i]
        chunks.append(Chunk(cid, doc_id, meta.title, meta.municipality, meta.language, sections[csec[i]], text[cstart[i] : cend[i]],
                            cstart[i], cend[i], _CHUNK_KINDS[ckind[i]], units))  # type: ignore[arg-type]
    return chunks


def _map(path: Path) -> np.ndarray:
    return np.load(path, mmap_mode="r", allow_pickle=False)


def _drop_pages(matrix: np.ndarray) -> None:
    """Let the kernel drop a memory-mapped matrix's pages from this process (they stay in the page cache)."""
    mapping = getattr(matrix, "_mmap", None)
    if isinstance(mapping, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        mapping.madvise(mmap.MADV_DONTNEED)


def _meta(data: dict[str, Any]) -> DocMeta:
    keys = ("doc_id", "title", "municipality", "language", "period", "source")
    return DocMeta(**{k: str(data.get(k, "")) for k in keys})


# --- which builds exist ----------------------------------------------------------


def build_ids(index_dir: Path) -> tuple[list[str], list[str]]:
    """(finished, unfinished) build ids, oldest first."""
    root = builds_dir(index_dir)
    if not root.exists():
        return [], []
    paths = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)
    finished = [p.name for p in paths if not (p / STAGING).exists()]
    return finished, [p.name for p in paths if (p / STAGING).exists()]


def prune(index_dir: Path, keep: int, current: str | None, remove: Callable[[str], None]) -> list[str]:
    """Remove unfinished builds and all but the newest ``keep`` finished ones; never ``current``."""
    finished, unfinished = build_ids(index_dir)
    doomed = [b for b in unfinished + finished[: max(0, len(finished) - keep)] if b != current]
    for build_id in doomed:
        remove(build_id)
    return doomed


def remove_files(index_dir: Path, build_id: str) -> None:
    shutil.rmtree(build_path(index_dir, build_id), ignore_errors=True)
