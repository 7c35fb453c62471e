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


@dataclass(frozen=True)
class Retrieved:
    """One retrieved chunk, in the order the answer saw it: evaluation scores exactly these."""

    doc_id: str
    chunk_id: str
    score: float


@dataclass
class Answer:
    """The answer text with [n] markers, and everything needed to show, check and rate it.

    ``text`` is the whole answer; when there is a short answer, ``lead`` holds it and
    ``text`` starts with it, so a UI can set it apart. ``retrieved`` lists what the answer
    was composed from (best first); ``suggestions`` are follow-up questions in the asker's
    written standard; ``answer_id`` and ``build_id`` tie feedback to this answer and index.
    """

    text: str
    abstained: bool
    language: str
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    municipality: str | None = None
    notice: str = ""  # e.g. a privacy warning to show beside the answer
    lead: str = ""
    retrieved: list[Retrieved] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    answer_id: str = ""
    build_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
