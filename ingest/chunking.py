"""Cut cleaned documents into retrievable chunks made of quotable units.

Chunks follow sections and sentence boundaries: a section's text is cut into
pieces of roughly ``min_words``–``max_words`` words, never inside a sentence;
every table row is a chunk of its own. A chunk's text is exactly
``cleaned_text[start:end]``, so a UI can highlight it in context. A sentence
or row longer than ``max_unit_chars`` (a 100k-character line with no full
stop) is split at word boundaries: every unit stays quotable and cheap to embed.
"""

from __future__ import annotations

import hashlib
from itertools import groupby

from ingest.cleaning import SECTION_SEP
from ingest.models import Block, Chunk, CleanDoc, Unit
from ingest.sentences import split_sentences


LIST_ITEM_WORDS = 40  # a list item this short is quoted whole; a longer one, sentence by sentence


def chunk_document(doc: CleanDoc, min_words: int = 60, max_words: int = 250, max_unit_chars: int = 1200) -> list[Chunk]:
    """All chunks of one document, in document order."""
    chunks: list[Chunk] = []
    body = [b for b in doc.blocks if b.kind != "heading"]
    for (section, row), group in groupby(body, key=lambda b: (b.section, b.row if b.row >= 0 else -1)):
        blocks = list(group)
        units = [piece for block in blocks for u in _units(block) for piece in _split_long(u, max_unit_chars)]
        kind = "row" if row >= 0 else "text"
        for piece in _pieces(units, min_words, max_words):
            chunks.append(_make_chunk(doc, section, piece, kind))
    return chunks


def _units(block: Block) -> list[tuple[str, int, int, str]]:
    """(text, start, end, kind) for each quotable unit of a block."""
    if block.kind == "table_row":
        return [(block.text, block.start, block.end, "row")]
    if block.kind == "list_item" and len(block.text.split()) <= LIST_ITEM_WORDS:
        return [(block.text, block.start, block.end, "sentence")]  # "1. En venn. Tilhørighet til et sosialt fellesskap." is one item
    return [(text, start, end, "sentence") for text, start, end in split_sentences(block.text, block.start)]


def _split_long(unit: tuple[str, int, int, str], limit: int) -> list[tuple[str, int, int, str]]:
    """Cut a unit longer than ``limit`` characters at spaces (mid-word only when a word is that long)."""
    text, start, _, kind = unit
    if len(text) <= limit:
        return [unit]
    out = []
    pos = 0
    while pos < len(text):
        end = len(text) if len(text) - pos <= limit else text.rfind(" ", pos + limit // 2, pos + limit + 1)
        if end <= pos:
            end = pos + limit
        s, e = pos, end
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((text[s:e], start + s, start + e, kind))
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _pieces(units: list[tuple[str, int, int, str]], min_words: int, max_words: int) -> list[list[tuple[str, int, int, str]]]:
    """Greedy cut at unit boundaries; a short tail is merged into the previous piece."""
    pieces: list[list[tuple[str, int, int, str]]] = []
    current: list[tuple[str, int, int, str]] = []
    words = 0
    for unit in units:
        n = len(unit[0].split())
        if current and words + n > max_words:
            pieces.append(current)
            current, words = [], 0
        current.append(unit)
        words += n
    if current:
        tail_words = sum(len(u[0].split()) for u in current)
        if pieces and tail_words < min_words // 2 and sum(len(u[0].split()) for u in pieces[-1]) + tail_words <= max_words * 1.2:
            pieces[-1].extend(current)
        else:
            pieces.append(current)
    return pieces


def _make_chunk(doc: CleanDoc, section: tuple[str, ...], piece: list[tuple[str, int, int, str]], kind: str) -> Chunk:
    start, end = piece[0][1], piece[-1][2]
    text = doc.text[start:end]
    meta = doc.meta
    chunk_id = _hash(meta.doc_id, str(start), text)
    units = [
        Unit(unit_id=_hash(chunk_id, str(s), t), chunk_id=chunk_id, doc_id=meta.doc_id, text=t, start=s, end=e, kind=k)  # type: ignore[arg-type]
        for t, s, e, k in piece
    ]
    return Chunk(
        chunk_id=chunk_id,
        doc_id=meta.doc_id,
        title=meta.title,
        municipality=meta.municipality,
        language=meta.language,
        section=SECTION_SEP.join(section),
        text=text,
        start=start,
        end=end,
        kind=kind,  # type: ignore[arg-type]
        units=units,
    )


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
