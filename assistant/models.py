"""Plain data the assistant returns: an answer and the passages it cites."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """One cited passage: the exact quote and where it sits in the cleaned plan text."""

    n: int
    doc_id: str
    title: str
    municipality: str
    section: str
    quote: str
    start: int
    end: int


@dataclass
class Answer:
    """The answer text with [n] markers, and everything needed to show and check it."""

    text: str
    abstained: bool
    language: str
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    municipality: str | None = None
    notice: str = ""  # e.g. a privacy warning to show beside the answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
