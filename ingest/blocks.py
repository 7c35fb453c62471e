"""The cleaned text of a document as it is laid out, block by block, and the heading pattern both
prose (:mod:`ingest.cleaning`) and tables (:mod:`ingest.tables`) recognise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.models import Block, BlockKind

PATTERN_HEADING = re.compile(r"^(Nivå|Trinn|Steg|Strategi)\s+\d\b", re.IGNORECASE)


@dataclass
class BlockBuilder:
    """Accumulates blocks and the cleaned text they index into."""

    parts: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    length: int = 0
    stack: list[tuple[int, str]] = field(default_factory=list)
    row_id: int = 0

    def section(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.stack)

    def add(self, kind: BlockKind, text: str, level: int = 0, row: int = -1) -> None:
        text = text.strip()
        if not text:
            return
        if kind == "heading":
            while self.stack and self.stack[-1][0] >= level:
                self.stack.pop()
            self.stack.append((level, text))
        sep = "" if not self.parts else ("\n\n" if kind == "heading" else "\n")
        self.parts.append(sep)
        self.length += len(sep)
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        self.blocks.append(Block(kind, text, start, self.length, self.section(), level, row))

    def extend_last(self, text: str) -> None:
        """Join a line wrapped at a page break onto the previous block."""
        last = self.blocks[-1]
        joined = " " + text.strip()
        self.parts.append(joined)
        self.length += len(joined)
        self.blocks[-1] = Block(last.kind, last.text + joined, last.start, self.length, last.section, last.level, last.row)

    def new_row(self) -> int:
        self.row_id += 1
        return self.row_id

    def text(self) -> str:
        return "".join(self.parts)
