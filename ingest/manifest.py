"""The corpus manifest: one entry per plan with its title, municipality and language.

A file without an entry still ingests; its metadata is inferred and a warning
says so. A broken manifest or an entry whose file is missing is an error that
names the manifest and the entry.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tomllib
from pathlib import Path

from ingest.errors import IngestError
from ingest.language import detect_language
from ingest.models import DocMeta
from ingest.municipality_names import municipality_of_file

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"


def read_manifest(corpus_dir: Path) -> dict[str, DocMeta]:
    """Entries keyed by document id; an empty dict when there is no manifest."""
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(path, f"malformed manifest: {exc}") from exc
    entries = data.get("documents")
    if not isinstance(entries, list):
        raise IngestError(path, "malformed manifest: expected [[documents]] tables")
    metas: dict[str, DocMeta] = {}
    for n, entry in enumerate(entries, 1):
        metas_entry = _entry(path, n, entry)
        if metas_entry.doc_id in metas:
            raise IngestError(path, f"entry {n}: duplicate id '{metas_entry.doc_id}'")
        metas[metas_entry.doc_id] = metas_entry
    return metas


def _entry(path: Path, n: int, entry: object) -> DocMeta:
    if not isinstance(entry, dict):
        raise IngestError(path, f"entry {n}: expected a table")
    missing = [key for key in ("id", "title", "municipality", "language", "file") if not entry.get(key)]
    if missing:
        raise IngestError(path, f"entry {n}: missing {', '.join(missing)}")
    name = entry["file"]
    if not isinstance(name, str) or Path(name).name != name or name in (".", ".."):
        raise IngestError(path, f"entry {n} ({entry['id']}): file must be a file name in the corpus folder, not a path: {name!r}")
    if Path(name).stem != entry["id"]:
        raise IngestError(path, f"entry {n} ({entry['id']}): file name stem must equal the id")
    problem = _not_a_plan_file(path.parent / name)
    if problem:
        raise IngestError(path, f"entry {n} ({entry['id']}): file '{name}' {problem}")
    return DocMeta(
        doc_id=str(entry["id"]),
        title=str(entry["title"]),
        municipality=str(entry["municipality"]),
        language=str(entry["language"]),
        period=str(entry.get("period", "")),
        source=str(entry["file"]),
    )


def _not_a_plan_file(file: Path) -> str:
    """Why ``file`` cannot be a plan ('' if it can): only regular files, never through a link."""
    try:
        mode = os.lstat(file).st_mode
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        return "is a symbolic link; only regular files in the corpus folder are read"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return ""


def infer_meta(path: Path, raw_text: str) -> DocMeta:
    """Best-effort metadata for a file that has no manifest entry."""
    stem = path.stem
    municipality = municipality_of_file(stem)
    if not municipality:
        municipality = stem.split("-")[0].capitalize()
    first_line = next((line.strip() for line in raw_text.splitlines() if len(line.strip()) > 3), stem)
    title = re.sub(r"<[^>]+>|[#*]", "", first_line).strip()[:120] or stem
    period = ""
    match = re.search(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b", raw_text[:3000])
    if match:
        period = f"{match.group(1)}–{match.group(2)}"
    log.warning("%s has no manifest entry; inferred municipality=%r language=%r", path.name, municipality, detect_language(raw_text))
    return DocMeta(stem, title, municipality, detect_language(raw_text), period, path.name)
