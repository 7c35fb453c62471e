"""Plain data passed between the ingest stages and on to the assistant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table_row"]


@dataclass(frozen=True)
class DocMeta:
    """What the manifest (or inference) says about one plan."""

    doc_id: str
    title: str
    municipality: str
    language: str  # "nn" | "nb" | other ISO code
    period: str = ""
    source: str = ""  # file name inside the corpus dir


@dataclass(frozen=True)
class Block:
    """One line of cleaned text: a heading, a paragraph, a list item or a table row.

    ``start``/``end`` are offsets into the cleaned document text.
    """

    kind: BlockKind
    text: str
    start: int
    end: int
    section: tuple[str, ...] = ()
    level: int = 0  # heading depth, 0 for non-headings
    row: int = -1  # table row id: blocks sharing one come from one table row


@dataclass(frozen=True)
class CleanDoc:
    """The cleaned text of a document and its structure."""

    meta: DocMeta
    text: str
    blocks: list[Block]
    raw_sha: str = ""


@dataclass(frozen=True)
class Unit:
    """A sentence or a table row: the smallest thing an answer may quote."""

    unit_id: str
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    kind: Literal["sentence", "row"] = "sentence"


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: section-aligned text or a single table row."""

    chunk_id: str
    doc_id: str
    title: str
    municipality: str
    language: str
    section: str
    text: str
    start: int
    end: int
    kind: Literal["text", "row"] = "text"
    units: list[Unit] = field(default_factory=list)

