"""Clean a raw plan export into plain text plus its structure.

The exports are messy on purpose: stray HTML, markdown links to ``#``,
tab- and pipe-separated tables, dot-leader tables of contents, page headers
repeated on every page and lines wrapped at PDF page breaks. The result is a
list of :class:`~ingest.models.Block` (heading, paragraph, list item, table
row) and the cleaned text they index into, so that every later stage can point
back to an exact passage.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest import tables
from ingest.blocks import PATTERN_HEADING, BlockBuilder
from ingest.inline import clean_inline
from ingest.models import CleanDoc, DocMeta
from ingest.textnorm import normalise_unicode

__all__ = ["SECTION_SEP", "clean_document", "clean_inline", "is_toc_line", "normalise"]

SECTION_SEP = " › "

_TOC_LINE = re.compile(r"^(?P<title>\S.{0,120}?)(?:\s*\.{3,}\s*|\t+)\s*(?P<page>\d{1,3})\s*$")
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)(?P<dot>\.)?\s+(?P<title>\S.*)$")
_BULLET = re.compile(r"^\s*(?:[-–•○▪●*]\s*|\d{1,2}[.)]\s+)(?=\S)")
_EMPTY_BULLET = re.compile(r"^\s*[-–•○▪●*]\s*$")
_BOILERPLATE = re.compile(
    r"^(les videre|les mer|meir info|map kart account_circle.*|.*\.(png|jpe?g|gif|svg)|bilde konstruert av kunstig intelligens"
    r"|[-=_]{3,}.*|hjem\S.*)$",
    re.IGNORECASE,
)
_TERMINAL = ".!?»\"”)"


def normalise(raw: str) -> str:
    """NFC without runs of combining marks; unify line ends and spaces; keep tabs, they carry table structure."""
    text = normalise_unicode(raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    return "\n".join(line.rstrip(" ") for line in text.split("\n"))


def is_toc_line(line: str) -> bool:
    """A table-of-contents entry: title, dot leader or tab, page number."""
    match = _TOC_LINE.match(line.strip())
    return bool(match) and len(match.group("title").split()) <= 14


def clean_document(raw: str, meta: DocMeta, raw_sha: str = "") -> CleanDoc:
    """Turn a raw export into cleaned text and blocks with section paths."""
    lines = normalise(raw).split("\n")
    toc_titles = {_key(_TOC_LINE.match(l.strip()).group("title")) for l in lines if is_toc_line(l)}  # type: ignore[union-attr]
    repeated = _repeated_lines(lines)
    builder = BlockBuilder()
    state = _LineState(toc_titles=toc_titles)
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or is_toc_line(line) or _EMPTY_BULLET.match(line) or _BOILERPLATE.match(stripped):
            state.blank = state.blank or not stripped
            i += 1
            continue
        if _key(stripped) in repeated:
            i += 1
            continue
        if tables.starts_pipe_table(lines, i):
            i = tables.read_pipe_table(lines, i, builder, state.level_below())
            state.reset()
            continue
        if "\t" in line and tables.is_tab_row(line):
            i = tables.read_tab_table(lines, i, builder, state.level_below())
            state.reset()
            continue
        if re.match(r"^\s*<(ul|ol|p)\b", stripped):
            for piece in tables.cell_lines(stripped):
                _add_line(f"- {piece}", lines, i, builder, state)
            i += 1
            continue
        for piece in _split_run_on_items(stripped):
            _add_line(piece, lines, i, builder, state)
        i += 1
    return CleanDoc(meta=meta, text=builder.text(), blocks=builder.blocks, raw_sha=raw_sha)


@dataclass
class _LineState:
    toc_titles: set[str]
    blank: bool = False
    list_mode: bool = False
    numbered_level: int = 0
    last_heading_level: int = 0
    last_was_heading: bool = False

    def level_below(self) -> int:
        return self.numbered_level + 1

    def reset(self) -> None:
        self.blank = False
        self.list_mode = False
        self.last_was_heading = False


def _add_line(text: str, lines: list[str], i: int, builder: BlockBuilder, state: _LineState) -> None:
    raw_line = text
    text = clean_inline(text)
    if not text or _EMPTY_BULLET.match(text):
        return
    last = builder.blocks[-1] if builder.blocks else None
    if last and last.kind in ("paragraph", "list_item") and _continues(last.text, text):
        builder.extend_last(text)
        state.blank = False
        return
    heading_level = _heading_level(text, raw_line, lines, i, state)
    state.last_was_heading = bool(heading_level)
    if heading_level:
        builder.add("heading", text, heading_level)
        state.last_heading_level = heading_level
        state.list_mode = False
    elif _BULLET.match(text) or (state.list_mode and _short(text)):
        item = _BULLET.sub("", text) if re.match(r"^\s*[-–•○▪●*]", text) else text
        builder.add("list_item", item)
    else:
        builder.add("paragraph", text)
        state.list_mode = text.endswith(":")
    state.blank = False


def _continues(previous: str, text: str) -> bool:
    """A wrapped line: the previous one stops mid-sentence and this one starts in lower case."""
    return bool(previous) and previous[-1] not in _TERMINAL + ":" and text[:1].islower()


def _short(text: str) -> bool:
    return len(text.split()) <= 12 and text[-1:] not in ".!?:"


def _heading_level(text: str, raw_line: str, lines: list[str], i: int, state: _LineState) -> int:
    """0 if ``text`` is not a heading, else its depth."""
    if len(text) > 160 or raw_line.startswith((" ", "\t")) or _BULLET.match(text) and not _NUMBERED.match(text):
        return 0
    nxt = _next_text(lines, i)
    if nxt and nxt[:1].islower():
        return 0  # a line wrapped mid-sentence
    numbered = _NUMBERED.match(text)
    if numbered and text[-1] not in ".,;:!?":
        depth = numbered.group("num").count(".") + 1
        single = depth == 1 and numbered.group("dot")
        if state.toc_titles and _key(text) not in state.toc_titles:
            return 0
        if single and _in_numbered_sequence(numbered.group("num"), lines, i):
            return 0
        state.numbered_level = depth
        return depth
    if PATTERN_HEADING.match(text) and len(text.split()) <= 20:
        return state.numbered_level + 1
    if state.toc_titles and _key(text) in state.toc_titles:
        return 1 if state.numbered_level == 0 else state.numbered_level + 1
    if _words(text) <= 8 and len(text) <= 80 and ":" not in text and text[-1] not in ".,;:!?" and text[0].isupper():
        if state.list_mode and not (_words(text) <= 3 and _words(nxt) > 25):
            return 0
        level = state.numbered_level + 1
        if state.last_heading_level >= level and state.last_was_heading:
            level = state.last_heading_level + 1  # a title straight under a title is its subtitle
        return level
    return 0


def _words(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def _in_numbered_sequence(num: str, lines: list[str], i: int) -> bool:
    n = int(num)
    neighbours = [_next_text(lines, i), _prev_text(lines, i)]
    return any(re.match(rf"^({n + 1}|{n - 1})[.)]\s", line.strip()) for line in neighbours if line)


def _next_text(lines: list[str], i: int) -> str:
    for line in lines[i + 1 : i + 4]:
        if line.strip():
            return line.strip()
    return ""


def _prev_text(lines: list[str], i: int) -> str:
    for line in reversed(lines[max(0, i - 3) : i]):
        if line.strip():
            return line.strip()
    return ""


def _split_run_on_items(line: str) -> list[str]:
    """Items glued with double spaces ("…ved å sikre at:  Ansatte …  Ansatte …") → separate lines."""
    pieces = re.split(r"(?<=[a-zæøå0-9:)])\s{2,}(?=[A-ZÆØÅ•])", line)
    return [p for p in pieces if p.strip()]


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _repeated_lines(lines: list[str]) -> set[str]:
    """Page headers and footers: short non-table lines seen three or more times."""
    counts = Counter(_key(l) for l in lines if l.strip() and "\t" not in l and "|" not in l and len(l.strip()) < 200)
    return {line for line, n in counts.items() if n >= 3 and len(line) > 20}
