"""Ingest: corpus files → cleaned, chunked, embedded build → switch CURRENT.

Incremental by content hash: an unchanged corpus embeds nothing and writes
nothing; a changed document is re-embedded alone (the others' rows are copied
from the current build as slices); a removed document's chunks disappear; a
manifest edit (title, municipality) writes a new build without embedding.
The current build is verified before it is reused: damaged files mean
re-embedding, a damaged vector store is rewritten from the build's vectors.
Every run that changes something writes a complete new build first and only
then moves the pointer, so failures leave the previous index as it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ingest import vectors
from ingest.chunking import chunk_document
from ingest.cleaning import clean_document
from ingest.corpus import Source, Sources, collect_sources, plan_text
from ingest.embedding import Embedder, embed_in_batches, make_embedder
from ingest.errors import IndexError_, IngestError
from ingest.index_data import IndexData
from ingest.lock import ingest_lock
from ingest.models import Chunk, DocMeta
from ingest.report import IngestReport
from ingest.settings import Settings
from ingest.stores import BuildStore, make_store, new_build_id

__all__ = ["IngestReport", "run_ingest"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], Any]
Prepare = Callable[[IndexData], Any]


@dataclass
class _Part:
    """One document's share of the new build: rows copied from the previous build, or fresh ones to embed."""

    meta: DocMeta
    text: str
    sha: str
    chunks: list[Chunk]
    unit_vectors: np.ndarray | None = None
    header_vectors: np.ndarray | None = None
    chunk_vectors: np.ndarray | None = None


def run_ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    skip_bad: bool = False,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    store: BuildStore | None = None,
    prepare: Prepare | None = None,
) -> IngestReport:
    """Bring the index in line with the corpus. Raises IngestError on bad input unless skip_bad.

    ``prepare`` is called with a new build after it is written and before it goes live: what the
    assistant derives from a build (its BM25 token table) is then ready when a start reads it."""
    report = IngestReport()
    t0 = time.perf_counter()
    store = store or make_store(settings)
    with ingest_lock(Path(settings.index_dir)):
        store.prune(settings.keep_builds)
        sources = collect_sources(settings, paths, skip_bad, report)
        embedder = embedder or make_embedder(settings, batch=True)
        previous = _previous(store, embedder, rebuild, report)
        _classify(sources, previous, report, partial=bool(paths))
        report.seconds["scan"] = time.perf_counter() - t0
        if previous is not None and report.up_to_date:
            _note_damage(store.verify_build(previous), previous.build_id, report)  # changes are checked while written
            if report.up_to_date:
                report.build_id = previous.build_id
                report.documents, report.chunks, report.units = len(previous.docs), len(previous.chunks), len(previous.units)
                if prepare is not None:
                    prepare(previous)  # reads what is there; remakes it after a tokeniser change
                return report
        return _build(settings, store, sources, previous, embedder, report, progress, skip_bad, prepare)


def _previous(store: BuildStore, embedder: Embedder, rebuild: bool, report: IngestReport) -> IndexData | None:
    """The current build if its files can be reused: unreadable files or another embedder mean re-embedding."""
    current_id = store.current_build_id()
    if rebuild or current_id is None:
        return None
    try:
        data = store.load_build(current_id)
    except IndexError_ as exc:
        report.repaired.append(f"build {current_id} could not be read, so everything is embedded again ({exc})")
        log.warning("%s", report.repaired[-1])
        return None
    if data.embedder != embedder.name:
        log.warning("index was built with %s, settings ask for %s: re-embedding everything", data.embedder, embedder.name)
        report.repaired.append(f"build {current_id} was made with embedder {data.embedder}; re-embedded with {embedder.name}")
        return None
    return data


def _note_damage(problems: list[str], build_id: str, report: IngestReport) -> None:
    if problems:
        report.repaired.append(f"the vector store of build {build_id} was damaged ({problems[0]}); rewritten from the build's vectors, nothing re-embedded")
        log.warning("%s", report.repaired[-1])


def _classify(sources: Sources, previous: IndexData | None, report: IngestReport, partial: bool = False) -> None:
    """New, changed, metadata-only, unchanged and removed documents; an ingest of named files removes nothing."""
    prev_hashes = previous.doc_hashes if previous else {}
    for doc_id, source in sources.plans.items():
        if doc_id not in prev_hashes:
            report.new.append(doc_id)
        elif prev_hashes[doc_id] != source.sha:
            report.changed.append(doc_id)
        elif sources.manifest_ok and previous is not None and previous.docs[doc_id] != source.meta:
            report.updated.append(doc_id)
        else:
            report.unchanged.append(doc_id)
    if not partial:
        report.removed = [d for d in prev_hashes if d not in sources.plans and d not in sources.skipped_ids]


def _build(
    settings: Settings,
    store: BuildStore,
    sources: Sources,
    previous: IndexData | None,
    embedder: Embedder,
    report: IngestReport,
    progress: Progress | None,
    skip_bad: bool,
    prepare: Prepare | None = None,
) -> IngestReport:
    t0 = time.perf_counter()
    parts = _parts(settings, sources, previous, report, progress, skip_bad)
    report.seconds["load+clean+chunk"] = time.perf_counter() - t0
    if previous is not None and report.up_to_date:  # the only changes were files skipped while cleaning
        report.build_id = previous.build_id
        report.documents, report.chunks, report.units = len(previous.docs), len(previous.chunks), len(previous.units)
        return report
    t1 = time.perf_counter()
    _embed(settings, embedder, parts, report, progress)
    report.seconds["embed"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    data = _assemble(new_build_id(), embedder, parts)
    try:
        reusable = previous is not None and not report.repaired  # a damaged store is written whole
        _note_damage(store.write_build(data, base=previous if reusable else None), previous.build_id if previous else "", report)
        report.seconds["write"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        if prepare is not None:
            prepare(data)
            report.seconds["prepare"] = time.perf_counter() - t3
        store.set_current(data.build_id)
    except BaseException:
        store.remove_build(data.build_id)
        raise
    store.prune(settings.keep_builds)
    report.build_id = data.build_id
    report.documents, report.chunks, report.units = len(data.docs), len(data.chunks), len(data.units)
    return report


def _parts(
    settings: Settings, sources: Sources, previous: IndexData | None, report: IngestReport, progress: Progress | None, skip_bad: bool
) -> dict[str, _Part]:
    """Each document of the new build, in id order: copied rows where nothing changed, fresh chunks otherwise."""
    rows = previous.doc_rows() if previous is not None else {}
    fresh = set(report.new) | set(report.changed)
    keep = set(previous.docs) - set(report.removed) if previous is not None else set()
    parts: dict[str, _Part] = {}
    for n, doc_id in enumerate(sorted(set(sources.plans) | keep)):
        source = sources.plans.get(doc_id)
        if source is not None and doc_id in fresh:
            try:
                parts[doc_id] = _fresh_part(settings, source)
            except IngestError as exc:
                if not skip_bad:
                    raise
                report.skipped.append((exc.path, exc.problem))
                report.new = [d for d in report.new if d != doc_id]
                report.changed = [d for d in report.changed if d != doc_id]
                if doc_id in rows:  # keep what was indexed before
                    parts[doc_id] = _copied_part(previous, doc_id, rows[doc_id], None)  # type: ignore[arg-type]
            if progress:
                progress("documents", n + 1, len(sources.plans))
        elif doc_id in rows:  # a broken manifest (skipped) must not replace good metadata with guesses
            meta = source.meta if source is not None and sources.manifest_ok else None
            parts[doc_id] = _copied_part(previous, doc_id, rows[doc_id], meta)  # type: ignore[arg-type]
    return parts


def _fresh_part(settings: Settings, source: Source) -> _Part:
    raw = plan_text(source, settings.max_plan_chars)
    clean = clean_document(raw, source.meta, source.sha)
    chunks = chunk_document(clean, settings.chunk_min_words, settings.chunk_max_words, settings.max_unit_chars)
    if not chunks:
        raise IngestError(source.path, "no text left after cleaning (the document is empty)")
    return _Part(source.meta, clean.text, source.sha, chunks)


def _copied_part(previous: IndexData, doc_id: str, rows: tuple[slice, slice], meta: DocMeta | None) -> _Part:
    """A document's rows from the previous build; new manifest metadata reaches its chunks without re-embedding."""
    chunk_rows, unit_rows = rows
    old = previous.docs[doc_id]
    meta = meta or old
    chunks = previous.chunks[chunk_rows]
    if (meta.title, meta.municipality, meta.language) != (old.title, old.municipality, old.language):
        chunks = [replace(c, title=meta.title, municipality=meta.municipality, language=meta.language) for c in chunks]
    assert previous.header_vectors is not None
    return _Part(
        meta, previous.doc_texts[doc_id], previous.doc_hashes[doc_id], chunks,
        previous.unit_vectors[unit_rows], previous.header_vectors[chunk_rows], previous.chunk_vectors[chunk_rows],
    )


def _header(chunk: Chunk) -> str:
    """Where a chunk sits, embedded on its own: short, so cheap (a long passage costs ~10x a sentence)."""
    return f"{chunk.title} › {chunk.section}" if chunk.section else chunk.title


def _embed(settings: Settings, embedder: Embedder, parts: dict[str, _Part], report: IngestReport, progress: Progress | None) -> None:
    """Embed the units and headings of fresh documents; chunk vectors follow from them (see ingest.vectors)."""
    todo = [p for p in parts.values() if p.unit_vectors is None]
    unit_texts = [u.text for p in todo for c in p.chunks for u in c.units]
    header_texts = [_header(c) for p in todo for c in p.chunks]
    total, done = len(unit_texts) + len(header_texts), 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embedding", done, total)

    units = vectors.stored(embed_in_batches(embedder, unit_texts, settings.embed_batch_size, tick))
    headers = vectors.stored(embed_in_batches(embedder, header_texts, settings.embed_batch_size, tick))
    report.embedded = total
    u = h = 0
    for part in todo:
        counts = np.array([len(c.units) for c in part.chunks])
        part.unit_vectors, part.header_vectors = units[u : u + counts.sum()], headers[h : h + len(counts)]
        part.chunk_vectors = vectors.chunk_vectors(part.unit_vectors, part.header_vectors, counts)
        u, h = u + int(counts.sum()), h + len(counts)


def _assemble(build_id: str, embedder: Embedder, parts: dict[str, _Part]) -> IndexData:
    """The new build's data: documents in id order, rows concatenated."""
    ordered = [parts[d] for d in sorted(parts)]
    chunks = [c for p in ordered for c in p.chunks]
    dim = embedder.dim

    def stack(name: str, dtype: Any) -> np.ndarray:
        blocks = [np.asarray(getattr(p, name), dtype=dtype) for p in ordered]
        return np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=dtype)

    return IndexData(
        build_id, embedder.name,
        {d: parts[d].meta for d in sorted(parts)}, {d: parts[d].text for d in sorted(parts)}, {d: parts[d].sha for d in sorted(parts)},
        chunks, [u for c in chunks for u in c.units],
        stack("unit_vectors", vectors.STORED_DTYPE), stack("chunk_vectors", np.float32), stack("header_vectors", vectors.STORED_DTYPE),
    )
