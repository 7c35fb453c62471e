"""Start the assistant even when the index cannot be used, and say what is wrong.

A missing, damaged or unreachable index must not stop the app: it starts,
prints the problem for the operator, answers every question with a short
"not ready" message, and tries again every ``retry_s`` seconds, so running
``python -m ingest`` (which verifies and repairs the index) brings it back
without a restart.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from assistant.arguments import check_ask_arguments
from assistant.core import Assistant
from assistant.models import Answer
from ingest.errors import IndexError_, IngestError, LockedError
from ingest.language import detect_language
from ingest.settings import Settings

log = logging.getLogger(__name__)

NOT_READY = {
    "nn": "Tenesta er ikkje klar: indeksen over planane manglar eller er skadd. Ein administrator må køyre «python -m ingest».",
    "nb": "Tjenesten er ikke klar: indeksen over planene mangler eller er skadet. En administrator må kjøre «python -m ingest».",
}
INDEX_PROBLEMS = (IndexError_, IngestError, LockedError)


class IndexUnavailable:
    """Answers in place of the Assistant until the index can be loaded, then hands over to it."""

    def __init__(self, settings: Settings, problem: str, load: Callable[[Settings], Any] = Assistant.from_settings, retry_s: float = 10.0) -> None:
        self.settings = settings
        self.problem = problem
        self._load = load
        self._retry_s = retry_s
        self._tried_at = time.monotonic()
        self._assistant: Any = None
        self._lock = threading.Lock()

    def _ready(self) -> Any:
        with self._lock:
            if self._assistant is None and time.monotonic() - self._tried_at >= self._retry_s:
                self._tried_at = time.monotonic()
                try:
                    self._assistant = self._load(self.settings)
                    log.warning("the index can be used again (build %s)", self._assistant.build_id)
                except INDEX_PROBLEMS as exc:
                    self.problem = str(exc)
            return self._assistant

    def ask(self, question: str, history: list[Any] | None = None, municipality: str | None = None, language: str | None = None) -> Answer:
        check_ask_arguments(question, history, municipality, language)
        assistant = self._ready()
        if assistant is not None:
            return assistant.ask(question, history=history, municipality=municipality, language=language)
        lang = "nn" if (language or detect_language(question)) == "nn" else "nb"
        return Answer(NOT_READY[lang], abstained=True, language=lang)

    @property
    def index(self) -> Any:
        return self._assistant.index if self._assistant is not None else None

    @property
    def build_id(self) -> str:
        return self._assistant.build_id if self._assistant is not None else ""


def open_assistant(settings: Settings, prepare: Callable[[Settings], None] | None = None, retry_s: float = 10.0) -> Assistant | IndexUnavailable:
    """``prepare`` (e.g. build the index on first start), then load; an index problem is printed, not raised."""
    try:
        if prepare is not None:
            prepare(settings)
        return Assistant.from_settings(settings)
    except INDEX_PROBLEMS as exc:
        print(f"ERROR: the index cannot be used: {exc}\nThe app starts anyway and answers 'not ready' until the index is repaired.", file=sys.stderr)
        return IndexUnavailable(settings, str(exc), retry_s=retry_s)
