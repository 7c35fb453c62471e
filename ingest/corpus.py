"""The corpus folder → the plans an ingest reads, each as bytes with its metadata and hash.

Only regular files directly in the corpus folder (or named on the command
line) are read, each opened without following a symbolic link, and no larger
than ``max_plan_bytes``; a link, a device or a pipe is an error that names it.
Two files with one id (``plan.txt`` and ``plan.docx``) are an error too: which
one is the plan is for a person to say. Subfolders are not read (a warning
says so).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import SUPPORTED, load_text
from ingest.manifest import MANIFEST_NAME, infer_meta, read_manifest
from ingest.models import DocMeta
from ingest.report import IngestReport
from ingest.settings import Settings

# Bump when loading, cleaning or chunking changes, so hashes force a re-chunk.
PIPELINE_VERSION = "6"


@dataclass
class Source:
    """One plan as read: its metadata, bytes and content hash."""

    meta: DocMeta
    path: Path
    sha: str
    data: bytes
    raw: str | None = None


@dataclass
class Sources:
    """What an ingest found: plans by id, and the ids it had to skip."""

    plans: dict[str, Source] = field(default_factory=dict)
    skipped_ids: set[str] = field(default_factory=set)
    manifest_ok: bool = True


def list_plan_files(corpus_dir: Path, paths: list[Path] | None, report: IngestReport) -> list[Path]:
    """Candidate plan files: the named paths (files or folders), else the corpus folder."""
    files: list[Path] = []
    for root in paths or [corpus_dir]:
        if root.is_dir():  # a folder the operator names may itself be a link; what is inside may not
            for entry in sorted(root.iterdir()):
                name = entry.name
                if name == MANIFEST_NAME or name.startswith(".") or name.lower().startswith("readme"):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    report.warnings.append(f"{entry}: a folder; plans must be files directly in {root}, so it is not read")
                    continue
                files.append(entry)
        elif os.path.lexists(root):
            files.append(root)
        else:
            raise IngestError(root, "no such file or folder")
    return files


def read_plan(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, opened without following a link; too large is an error."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError(path, "is a symbolic link; only regular files are read (copy the plan into the corpus folder)") from None
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IngestError(path, "is not a regular file (a device, pipe or socket); only plan files are read")
        if info.st_size > max_bytes:
            raise IngestError(path, f"is {info.st_size:,} bytes; the largest plan file read is {max_bytes:,} bytes (FA_MAX_PLAN_BYTES)")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IngestError(path, f"grew past {max_bytes:,} bytes while being read (FA_MAX_PLAN_BYTES)")
    return data


def plan_text(source: Source, max_chars: int) -> str:
    """The raw text of a plan, read once; more than ``max_chars`` characters is an error."""
    if source.raw is None:
        source.raw = load_text(source.path, source.data)
    if len(source.raw) > max_chars:
        raise IngestError(source.path, f"has {len(source.raw):,} characters of text; the limit is {max_chars:,} (FA_MAX_PLAN_CHARS): split the plan or raise the limit")
    return source.raw


def collect_sources(settings: Settings, paths: list[Path] | None, skip_bad: bool, report: IngestReport) -> Sources:
    """Every plan to index; bad ones raise IngestError, or with ``skip_bad`` are listed in the report."""
    corpus_dir = Path(settings.corpus_dir)
    found = Sources()
    try:
        manifest = read_manifest(corpus_dir)
    except IngestError as exc:
        if not skip_bad:
            raise
        report.skipped.append((exc.path, exc.problem))
        manifest, found.manifest_ok = {}, False
    files = list_plan_files(corpus_dir, paths, report)
    for group in _by_id(files).values():
        try:
            if len(group) > 1:
                names = ", ".join(p.name for p in group)
                raise IngestError(group[0].parent / group[0].stem, f"two files have the id '{group[0].stem}' ({names}); keep one")
            source = _read_source(group[0], manifest, settings, skip_bad, report)
            found.plans[source.meta.doc_id] = source
        except IngestError as exc:
            if not skip_bad:
                raise
            report.skipped.append((exc.path, exc.problem))
            found.skipped_ids.add(group[0].stem)
    return found


def _by_id(files: list[Path]) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in files:
        groups.setdefault(path.stem, []).append(path)
    return groups


def _read_source(path: Path, manifest: dict[str, DocMeta], settings: Settings, skip_bad: bool, report: IngestReport) -> Source:
    if path.suffix.lower() not in SUPPORTED:
        raise IngestError(path, f"unknown file type '{path.suffix or '(none)'}'; supported: {', '.join(SUPPORTED)}")
    data = read_plan(path, settings.max_plan_bytes)
    sha = hashlib.sha256(data + PIPELINE_VERSION.encode()).hexdigest()[:24]
    meta = manifest.get(path.stem)
    source = Source(meta or DocMeta(path.stem, "", "", ""), path, sha, data)
    if meta is None:
        source.meta = infer_meta(path, plan_text(source, settings.max_plan_chars))
        report.warnings.append(f"{path.name}: no manifest entry; inferred municipality '{source.meta.municipality}', language '{source.meta.language}'")
    elif skip_bad:
        plan_text(source, settings.max_plan_chars)  # find bad files now, so they can be skipped
    return source
