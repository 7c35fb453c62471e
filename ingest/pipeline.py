"""Ingest: corpus files → cleaned, chunked, embedded build → switch CURRENT.

Incremental by content hash: an unchanged corpus embeds nothing and writes
nothing; a changed document is re-embedded alone (the others' vectors are
copied from the current build); a removed document's chunks disappear. Every
run that changes something writes a complete new build first and only then
moves the pointer, so failures leave the previous index as it was.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ingest import store
from ingest.chunking import chunk_document
from ingest.cleaning import clean_document
from ingest.embedding import Embedder, embed_in_batches, make_embedder
from ingest.errors import IngestError
from ingest.loaders import SUPPORTED, load_text
from ingest.lock import ingest_lock
from ingest.manifest import MANIFEST_NAME, infer_meta, read_manifest
from ingest.models import Chunk, DocMeta
from ingest.settings import Settings

log = logging.getLogger(__name__)

# Bump when cleaning or chunking changes, so hashes force a re-chunk.
PIPELINE_VERSION = "3"


@dataclass
class IngestReport:
    """What an ingest did, for the closing summary and for tests."""

    build_id: str | None = None
    documents: int = 0
    chunks: int = 0
    units: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    embedded: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        return not (self.new or self.changed or self.removed)

    def summary(self) -> str:
        lines = [
            f"documents: {self.documents}  chunks: {self.chunks}  units: {self.units}",
            f"new: {len(self.new)}  changed: {len(self.changed)}  removed: {len(self.removed)}  unchanged: {len(self.unchanged)}",
            f"embedded: {self.embedded} texts  time: {sum(self.seconds.values()):.1f} s "
            + "(" + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()) + ")",
        ]
        if self.up_to_date:
            lines.insert(0, "Index is up to date: nothing to embed.")
        else:
            lines.insert(0, f"Built index {self.build_id}.")
        for path, problem in self.skipped:
            lines.append(f"skipped {path}: {problem}")
        return "\n".join(lines)


@dataclass
class _Source:
    meta: DocMeta
    path: Path
    sha: str
    data: bytes
    raw: str | None = None


Progress = Callable[[str, int, int], Any]


def corpus_files(corpus_dir: Path, paths: list[Path] | None = None) -> list[Path]:
    """Plan files to ingest: the given paths (files or folders), else the corpus folder."""
    roots = paths or [corpus_dir]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(
                p for p in sorted(root.iterdir())
                if p.is_file() and p.name != MANIFEST_NAME and not p.name.lower().startswith("readme") and not p.name.startswith(".")
            )
        elif root.exists():
            files.append(root)
        else:
            raise IngestError(root, "no such file or folder")
    return files


def run_ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    skip_bad: bool = False,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with the corpus. Raises IngestError on bad input unless skip_bad."""
    report = IngestReport()
    t0 = time.perf_counter()
    Path(settings.index_dir).mkdir(parents=True, exist_ok=True)
    with ingest_lock(Path(settings.index_dir)):
        store.prune_builds(settings, settings.keep_builds)
        sources = _collect_sources(settings, paths, skip_bad, report)
        embedder = embedder or make_embedder(settings)
        current_id = store.current_build_id(settings)
        previous = _load_previous(settings, current_id, embedder, rebuild)
        prev_hashes = previous.doc_hashes if previous else {}
        _classify(sources, prev_hashes, report, partial=bool(paths))
        report.seconds["scan"] = time.perf_counter() - t0
        if previous is not None and report.up_to_date and not report.skipped:
            report.build_id = current_id
            report.documents, report.chunks, report.units = len(previous.docs), len(previous.chunks), len(previous.units)
            return report
        return _build(settings, sources, previous, embedder, report, progress)


def _collect_sources(settings: Settings, paths: list[Path] | None, skip_bad: bool, report: IngestReport) -> dict[str, _Source]:
    corpus_dir = Path(settings.corpus_dir)
    try:
        manifest = read_manifest(corpus_dir)
    except IngestError as exc:
        if not skip_bad:
            raise
        report.skipped.append((exc.path, exc.problem))
        manifest = {}
    sources: dict[str, _Source] = {}
    for path in corpus_files(corpus_dir, paths):
        try:
            if path.suffix.lower() not in SUPPORTED:
                raise IngestError(path, f"unknown file type '{path.suffix or '(none)'}'; supported: {', '.join(SUPPORTED)}")
            data = path.read_bytes()
            sha = hashlib.sha256(data + PIPELINE_VERSION.encode()).hexdigest()[:24]
            meta = manifest.get(path.stem)
            raw = None
            if meta is None:
                raw = load_text(path, data)
                meta = infer_meta(path, raw)
                report.warnings.append(f"{path.name}: no manifest entry; inferred municipality '{meta.municipality}', language '{meta.language}'")
            elif skip_bad:
                raw = load_text(path, data)  # find bad files now, so they can be skipped
            sources[meta.doc_id] = _Source(meta, path, sha, data, raw)
        except IngestError as exc:
            if not skip_bad:
                raise
            report.skipped.append((exc.path, exc.problem))
        except OSError as exc:
            problem = f"cannot read file: {exc.strerror or exc}"
            if not skip_bad:
                raise IngestError(path, problem) from exc
            report.skipped.append((str(path), problem))
    return sources


def _load_previous(settings: Settings, current_id: str | None, embedder: Embedder, rebuild: bool) -> store.IndexData | None:
    if rebuild or current_id is None:
        return None
    try:
        previous = store.load_build(settings, current_id)
    except Exception as exc:  # a damaged index is rebuilt from scratch, not trusted
        log.warning("current index %s is unusable (%s); building a fresh one", current_id, exc)
        return None
    if previous.embedder != embedder.name:
        log.warning("index was built with %s, settings ask for %s: re-embedding everything", previous.embedder, embedder.name)
        return None
    return previous


def _classify(sources: dict[str, _Source], prev_hashes: dict[str, str], report: IngestReport, partial: bool = False) -> None:
    """New, changed, unchanged and removed documents; an ingest of named files removes nothing."""
    for doc_id, source in sources.items():
        if doc_id not in prev_hashes:
            report.new.append(doc_id)
        elif prev_hashes[doc_id] != source.sha:
            report.changed.append(doc_id)
        else:
            report.unchanged.append(doc_id)
    skipped_ids = {Path(p).stem for p, _ in report.skipped}
    if not partial:
        report.removed = [d for d in prev_hashes if d not in sources and d not in skipped_ids]


def _build(
    settings: Settings,
    sources: dict[str, _Source],
    previous: store.IndexData | None,
    embedder: Embedder,
    report: IngestReport,
    progress: Progress | None,
) -> IngestReport:
    t0 = time.perf_counter()
    docs: dict[str, DocMeta] = {}
    texts: dict[str, str] = {}
    hashes: dict[str, str] = {}
    chunks: list[Chunk] = []
    reused_vectors: dict[str, np.ndarray] = {}
    kept_from_previous = _kept_skipped(previous, report)
    if previous is not None and not report.removed:
        kept_from_previous |= {d for d in previous.docs if d not in sources}  # named files only: keep the rest
    to_process = [d for d in sources if d in report.new or d in report.changed]
    for n, doc_id in enumerate(sorted(set(sources) | kept_from_previous)):
        if doc_id in sources and doc_id not in to_process and previous is not None:
            _reuse(previous, doc_id, docs, texts, hashes, chunks, reused_vectors)
            docs[doc_id] = sources[doc_id].meta  # manifest edits apply without re-embedding
            continue
        if doc_id not in sources:
            _reuse(previous, doc_id, docs, texts, hashes, chunks, reused_vectors)  # type: ignore[arg-type]
            continue
        source = sources[doc_id]
        raw = source.raw if source.raw is not None else load_text(source.path, source.data)
        clean = clean_document(raw, source.meta, source.sha)
        doc_chunks = chunk_document(clean, settings.chunk_min_words, settings.chunk_max_words)
        if not doc_chunks:
            raise IngestError(source.path, "no text left after cleaning (the document is empty)")
        docs[doc_id], texts[doc_id], hashes[doc_id] = source.meta, clean.text, source.sha
        chunks.extend(doc_chunks)
        if progress:
            progress("documents", n + 1, len(sources))
    report.seconds["load+clean+chunk"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    chunk_vectors, unit_vectors = _embed(settings, embedder, chunks, reused_vectors, report, progress)
    report.seconds["embed"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    build_id = store.new_build_id()
    try:
        store.write_build(settings, build_id, embedder.name, docs, texts, hashes, chunks, chunk_vectors, unit_vectors)
        store.set_current(settings, build_id)
    except BaseException:
        store.remove_build(settings, build_id)
        raise
    report.seconds["write"] = time.perf_counter() - t2
    store.prune_builds(settings, settings.keep_builds)
    report.build_id = build_id
    report.documents, report.chunks, report.units = len(docs), len(chunks), int(unit_vectors.shape[0])
    return report


def _kept_skipped(previous: store.IndexData | None, report: IngestReport) -> set[str]:
    """Documents that failed this time but were indexed before stay as they were."""
    if previous is None:
        return set()
    skipped_ids = {Path(p).stem for p, _ in report.skipped}
    return {d for d in skipped_ids if d in previous.docs}


def _reuse(
    previous: store.IndexData,
    doc_id: str,
    docs: dict[str, DocMeta],
    texts: dict[str, str],
    hashes: dict[str, str],
    chunks: list[Chunk],
    vectors: dict[str, np.ndarray],
) -> None:
    docs[doc_id] = previous.docs[doc_id]
    texts[doc_id] = previous.doc_texts[doc_id]
    hashes[doc_id] = previous.doc_hashes[doc_id]
    for index, chunk in enumerate(previous.chunks):
        if chunk.doc_id == doc_id:
            chunks.append(chunk)
            vectors[f"chunk:{chunk.chunk_id}"] = previous.chunk_vectors[index]
            for unit in chunk.units:
                vectors[unit.unit_id] = previous.unit_vectors[previous.unit_index[unit.unit_id]]


def _header(chunk: Chunk) -> str:
    """Where a chunk sits, embedded on its own: short, so cheap (a long passage costs ~10x a sentence)."""
    return f"{chunk.title} › {chunk.section}" if chunk.section else chunk.title


def _chunk_vector(header: np.ndarray, unit_vectors: list[np.ndarray]) -> np.ndarray:
    """A chunk's vector: the mean of its sentence vectors, nudged towards its heading."""
    body = np.mean(unit_vectors, axis=0) if unit_vectors else header
    vec = 0.75 * body / (np.linalg.norm(body) or 1.0) + 0.25 * header
    return (vec / (np.linalg.norm(vec) or 1.0)).astype(np.float32)


def _embed(
    settings: Settings,
    embedder: Embedder,
    chunks: list[Chunk],
    reused: dict[str, np.ndarray],
    report: IngestReport,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Embed only new units; a chunk's vector is built from its units and a heading vector (see _chunk_vector)."""
    units = [u for c in chunks for u in c.units]
    todo = [u for u in units if u.unit_id not in reused]
    total = len(todo) + sum(1 for c in chunks if any(u.unit_id not in reused for u in c.units))
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embedding", done, total)

    fresh = embed_in_batches(embedder, [u.text for u in todo], settings.embed_batch_size, tick)
    report.embedded = len(todo)
    vectors = dict(reused)
    vectors.update({u.unit_id: v for u, v in zip(todo, fresh)})
    unit_matrix = np.stack([vectors[u.unit_id] for u in units]) if units else np.zeros((0, embedder.dim), dtype=np.float32)
    new_chunk_ids = {u.chunk_id for u in todo}
    need = [i for i, c in enumerate(chunks) if c.chunk_id in new_chunk_ids]
    headers = embed_in_batches(embedder, [_header(chunks[i]) for i in need], settings.embed_batch_size, tick)
    report.embedded += len(need)
    header_of = dict(zip(need, headers))
    chunk_rows = []
    for i, chunk in enumerate(chunks):
        if i in header_of:
            vec = _chunk_vector(header_of[i], [vectors[u.unit_id] for u in chunk.units])
        else:
            vec = reused[f"chunk:{chunk.chunk_id}"]
        chunk_rows.append(vec)
    chunk_matrix = np.stack(chunk_rows) if chunk_rows else np.zeros((0, embedder.dim), dtype=np.float32)
    return chunk_matrix.astype(np.float32), unit_matrix.astype(np.float32)
