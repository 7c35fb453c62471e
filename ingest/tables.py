"""Tables in the exports: tab-separated, pipe-separated and key–value.

Each row becomes a self-contained line that carries the table's header names
("Tiltak: … Målgruppe: … Ansvarlig: …"), so a row can be retrieved and quoted
on its own. Rows continued on the next line (PDF page breaks: first cell
empty) are joined; HTML lists inside cells become one line per item when the
row is too long to quote whole.
"""

from __future__ import annotations

import re

from ingest.blocks import PATTERN_HEADING, BlockBuilder
from ingest.inline import clean_inline

MAX_ROW_WORDS = 120
TABLE_SEPARATOR = re.compile(r"^[-=_]{2,}$")
_ITEM_SPLIT = re.compile(r"\s*(?:[•○▪●]|(?<=\s)-(?=\s)|(?<=\s)(?=[A-H]\)\s)|(?<=[\s>])(?=\d{1,2}\.\s+[A-ZÆØÅ]))\s*")


def is_tab_row(line: str) -> bool:
    return "\t" in line and bool(line.replace("\t", "").strip())


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def cell_lines(cell: str) -> list[str]:
    """One cell's text → its lines: paragraphs and list items split apart."""
    text = re.sub(r"</?p>", "\n", cell, flags=re.IGNORECASE)
    out: list[str] = []
    for para in re.split(r"\n|<ul[^>]*>|<ol[^>]*>|</ul>|</ol>", text):
        in_list = True
        para = para.strip()
        if not para:
            continue
        pieces = _ITEM_SPLIT.split(para) if in_list else [para]
        out.extend(clean_inline(p) for p in pieces if clean_inline(p))
    return [o for o in out if o and o not in ("-", "•")]


def emit_row(builder: BlockBuilder, pairs: list[tuple[str, list[str]]]) -> None:
    """Write one table row: whole when short, else one line per cell line."""
    pairs = _dedupe([(h, lines) for h, lines in pairs if lines])
    if not pairs:
        return
    row = builder.new_row()
    words = sum(len(" ".join(lines).split()) for _, lines in pairs)
    if words <= MAX_ROW_WORDS:
        builder.add("table_row", " ".join(_pair_text(h, lines) for h, lines in pairs), row=row)
        return
    head: list[tuple[str, list[str]]] = [pairs[0]]
    rest = pairs[1:]
    while rest and len(rest[0][1]) == 1 and len(rest[0][1][0].split()) <= 25:
        head.append(rest.pop(0))
    if len(head[0][1]) == 1:
        builder.add("table_row", " ".join(_pair_text(h, lines) for h, lines in head), row=row)
    else:
        rest = head + rest
    for header, lines in rest:
        for line in lines:
            builder.add("list_item", _pair_text(header, [line]), row=row)


def _pair_text(header: str, lines: list[str]) -> str:
    body = " ".join(lines).strip()
    if body and body[-1] not in ".!?:":
        body += "."
    return f"{header}: {body}" if header else body


def _dedupe(pairs: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    seen: set[str] = set()
    out = []
    for header, lines in pairs:
        key = " ".join(lines).strip().lower()
        if key in seen:
            continue
        seen.add(key)
        out.append((header, lines))
    return out


def _looks_like_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return (
        len(filled) >= 2
        and all(len(c.split()) <= 6 and c[-1] not in ".!?" and "<" not in c for c in filled)
    )


def read_tab_table(lines: list[str], i: int, builder: BlockBuilder, level: int) -> int:
    """Consume a tab-separated region starting at ``i``; return the next line index."""
    rows: list[list[str]] = []
    while i < len(lines):
        line = lines[i]
        if is_tab_row(line):
            cells = _cells(line)
            if rows and not cells[0] and any(cells[1:]):
                prev = rows[-1]
                for k, cell in enumerate(cells):
                    if k < len(prev):
                        prev[k] = f"{prev[k]} {cell}".strip()
                    else:
                        prev.append(cell)
            else:
                rows.append(cells)
            i += 1
            continue
        if rows and line.strip().startswith(("<ul", "<ol", "<p")):
            prev = rows[-1]
            last = max(k for k, c in enumerate(prev) if c)
            prev[last] = f"{prev[last]} {line.strip()}"
            i += 1
            continue
        if not line.strip():
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and is_tab_row(lines[j]):
                i = j
                continue
        break
    _emit_tab_rows(rows, builder, level)
    return i


def _emit_tab_rows(rows: list[list[str]], builder: BlockBuilder, level: int) -> None:
    header: list[str] | None = None
    previous_was_heading = False
    for n, cells in enumerate(rows):
        filled = [c for c in cells if c]
        if not filled or all(TABLE_SEPARATOR.match(c) for c in filled):
            continue
        if len(filled) == 1 and cells[0]:
            text = clean_inline(cells[0])
            if (PATTERN_HEADING.match(text) or len(text.split()) <= 4) and not previous_was_heading and text[-1] not in ".:":
                builder.add("heading", text, level)
                header = None
                previous_was_heading = True
            else:
                for line in cell_lines(cells[0]):
                    builder.add("paragraph", line)
                previous_was_heading = False
            continue
        previous_was_heading = False
        nxt = rows[n + 1] if n + 1 < len(rows) else []
        if header is None and _looks_like_header(cells) and len([c for c in nxt if c]) >= 2:
            header = [clean_inline(c) for c in cells]
            continue
        if header is not None and any(not h for h in header[: len(cells)]):
            for cell in cells:  # a group header ("A\t\tB\t"): each cell stands alone
                if cell:
                    emit_row(builder, [("", cell_lines(cell))])
            continue
        if header is not None and len(cells) <= len(header) + 1:
            pairs = [(header[k] if k < len(header) else "", cell_lines(c)) for k, c in enumerate(cells) if c]
        else:
            key = clean_inline(cells[0])
            body = [line for c in cells[1:] if c for line in cell_lines(c)]
            pairs = [(key, body)] if body else [("", [key])]
        emit_row(builder, pairs)


def starts_pipe_table(lines: list[str], i: int) -> bool:
    """A pipe table opens with at least three short header lines ending in '|'."""
    count = 0
    for line in lines[i : i + 6]:
        s = line.strip()
        if s.endswith("|") and 0 < len(s[:-1].split()) <= 8:
            count += 1
        else:
            break
    return count >= 3


def read_pipe_table(lines: list[str], i: int, builder: BlockBuilder, level: int) -> int:
    """Consume a pipe table (cells end with '|', possibly spanning lines).

    The header is the run of short lines ending in '|', but a short first cell
    can look like one more header line; the column count that parses the most
    lines wins.
    """
    candidates: list[str] = []
    j = i
    while j < len(lines) and lines[j].strip().endswith("|") and len(lines[j].strip()[:-1].split()) <= 8:
        candidates.append(clean_inline(lines[j].strip()[:-1]).rstrip(":"))
        j += 1
    best_end, best_rows, best_header = i, [], candidates
    for ncols in range(len(candidates), 1, -1):
        end, rows = _parse_pipe_rows(lines, i + ncols, ncols)
        if end > best_end:
            best_end, best_rows, best_header = end, rows, candidates[:ncols]
    for cells in best_rows:
        emit_row(builder, list(zip(best_header, [[clean_inline(c) for c in cell if clean_inline(c)] for cell in cells])))
    return max(best_end, i + len(candidates))


def _parse_pipe_rows(lines: list[str], i: int, ncols: int) -> tuple[int, list[list[list[str]]]]:
    rows: list[list[list[str]]] = []
    while _row_starts(lines, i):
        cells: list[list[str]] = []
        while i < len(lines) and len(cells) < ncols:
            cell: list[str] = []
            while i < len(lines):
                s = lines[i].strip()
                i += 1
                if s.endswith("|"):
                    if s[:-1].strip():
                        cell.append(s[:-1].strip())
                    break
                if s:
                    cell.append(s)
            cells.append(cell)
        rows.append(cells)
    return i, rows


def _row_starts(lines: list[str], i: int) -> bool:
    if i >= len(lines):
        return False
    s = lines[i].strip()
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return s.endswith("|") or (bool(s) and nxt == "|")
