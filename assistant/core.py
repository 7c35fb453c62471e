"""The Assistant: loads the index once and answers questions.

``Assistant.from_settings()`` wires the embedder, the index store's dense
search (:mod:`ingest.stores`), BM25 and the composer (or an optional LLM). ``ask`` never raises on
odd input: empty, oversized or hostile questions get a friendly answer. When
an ingest switches the index, the next question loads the new build and
swaps it in whole, so every answer comes from one build.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from assistant.answer import Composer, ComposerTuning
from assistant.arguments import check_ask_arguments
from assistant.models import Answer, Retrieved
from assistant.privacy import find_personal_data, redact
from assistant.query import Question, read_question
from assistant.retrieval import HybridRetriever
from ingest.embedding import Embedder, make_embedder
from ingest.errors import IndexError_
from ingest.settings import Settings, load_settings
from ingest.stores import BuildStore, DenseSearch, make_store

log = logging.getLogger(__name__)

EMPTY = {
    "nn": "Skriv eit spørsmål om planane, til dømes «Kva er nivå 2 i BTI?».",
    "nb": "Skriv et spørsmål om planene, for eksempel «Hva er nivå 2 i BTI?».",
}
TOO_LONG = {
    "nn": "Spørsmålet er for langt ({n} teikn). Korte det ned til under {max} teikn og prøv igjen.",
    "nb": "Spørsmålet er for langt ({n} tegn). Kort det ned til under {max} tegn og prøv igjen.",
}
PII_NOTICE = {
    "nn": "Spørsmålet ser ut til å innehalde {kinds}. Ikkje skriv personopplysningar om barn her.",
    "nb": "Spørsmålet ser ut til å inneholde {kinds}. Ikke skriv personopplysninger om barn her.",
}


@dataclass
class _Loaded:
    """One build, fully loaded: swapped in as a whole."""

    build_id: str
    retriever: HybridRetriever
    composer: Composer
    dense: DenseSearch


class Assistant:
    """Answers questions about the plans with cited passages."""

    def __init__(
        self, settings: Settings, embedder: Embedder, llm: Any | None = None, tuning: ComposerTuning | None = None, store: BuildStore | None = None
    ) -> None:
        self.settings = settings
        self.store = store or make_store(settings)
        self.embedder = embedder
        self.llm = llm
        self.tuning = tuning or ComposerTuning(max_units=settings.max_sentences)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._checked_at = 0.0
        self._load(self._current_id())

    @classmethod
    def from_settings(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> "Assistant":
        """Load the index named by the settings (default: env vars / .index/)."""
        settings = settings or load_settings()
        from assistant.llm import make_llm

        return cls(settings, embedder or make_embedder(settings), llm=make_llm(settings))

    # --- index lifecycle ------------------------------------------------------

    def _current_id(self) -> str:
        build_id = self.store.current_build_id()
        if not build_id:
            raise IndexError_(f"no index found in {self.settings.index_dir}; build it with: python -m ingest")
        return build_id

    def _load(self, build_id: str) -> None:
        """Load a build whole, then swap it in; the old build's files and connections are released."""
        index = self.store.load_build(build_id)
        if index.embedder != self.embedder.name:
            raise IndexError_(
                f"the index was built with embedder '{index.embedder}' but the settings use '{self.embedder.name}'; "
                "rebuild it with: python -m ingest --rebuild"
            )
        dense = self.store.open_search(index)
        try:
            s = self.settings
            retriever = HybridRetriever(index, dense, s.rrf_k, s.dense_weight, s.bm25_weight)
            loaded = _Loaded(build_id, retriever, Composer(index, retriever.bm25.idf(), self.tuning), dense)
        except BaseException:
            dense.close()
            raise
        old, self._loaded = self._loaded, loaded
        if old is not None:
            old.dense.close()  # questions still running on it fall back to its in-memory vectors

    def _refresh(self) -> _Loaded:
        """Swap in a newer build if an ingest switched CURRENT (checked at most once a second)."""
        now = time.monotonic()
        loaded = self._loaded
        assert loaded is not None
        if now - self._checked_at < 1.0:
            return loaded
        self._checked_at = now
        try:
            current = self.store.current_build_id()
        except IndexError_:
            return loaded
        if current and current != loaded.build_id:
            with self._lock:
                if self._loaded and self._loaded.build_id != current:
                    try:
                        self._load(current)
                    except Exception as exc:  # keep answering from the old build
                        log.warning("could not load new index build %s: %s", current, exc)
        return self._loaded or loaded

    def close(self) -> None:
        """Release the loaded build's files and connections (the assistant cannot answer afterwards)."""
        if self._loaded is not None:
            self._loaded.dense.close()
        self.store.close()

    @property
    def build_id(self) -> str:
        return self._loaded.build_id if self._loaded else ""

    @property
    def index(self):  # type: ignore[no-untyped-def]
        return self._loaded.retriever.index if self._loaded else None

    # --- answering ------------------------------------------------------------

    def ask(
        self, question: str, history: list[Any] | None = None, municipality: str | None = None, language: str | None = None
    ) -> Answer:
        """Answer ``question`` in the asker's standard, citing the plans, or say they don't say.

        ``municipality`` is what the user picked (a municipality named in the question wins);
        ``language`` ("nn", "nb" or "en", e.g. the UI's language) is used when the question's
        own words do not tell its written standard. Arguments of the wrong type raise
        :class:`assistant.arguments.AskArgumentError` (a TypeError and a ValueError).
        """
        check_ask_arguments(question, history, municipality, language)
        t0 = time.perf_counter()
        turns = _history_texts(history)[-self.settings.max_history_turns :]
        lang = _lang(question)
        if not question.strip() or not any(ch.isalnum() for ch in question):
            return Answer(EMPTY[lang], abstained=True, language=lang, timings_ms={"total": 0.0})
        if len(question) > self.settings.max_question_chars:
            text = TOO_LONG[lang].format(n=len(question), max=self.settings.max_question_chars)
            return Answer(text, abstained=True, language=lang, timings_ms={"total": 0.0})
        if self.settings.log_questions:
            log.info("question: %s", redact(question))
        loaded = self._refresh()
        timings: dict[str, float] = {}
        q = read_question(_clean_controls(question), turns, municipality)
        answer = self._answer(loaded, q, timings)
        kinds = find_personal_data(question)
        if kinds:
            answer.notice = PII_NOTICE[lang].format(kinds=" og ".join(kinds))
        timings["total"] = (time.perf_counter() - t0) * 1000
        answer.timings_ms = {k: round(v, 2) for k, v in timings.items()}
        if answer.municipality is None and q.municipality:
            answer.municipality = q.municipality
        answer.answer_id = uuid.uuid4().hex
        answer.build_id = loaded.build_id
        return answer

    def retrieve(self, question: str, history: list[Any] | None = None, municipality: str | None = None, k: int = 5) -> list[Any]:
        """The top-k hits the answer is composed from (for evaluation and debugging)."""
        loaded = self._refresh()
        q = read_question(_clean_controls(question), _history_texts(history), municipality)
        vector = self.embedder.embed_query(q.search_text or q.text)
        return loaded.retriever.retrieve(q.search_text, vector, k, q.municipality)

    def _answer(self, loaded: _Loaded, q: Question, timings: dict[str, float]) -> Answer:
        if not q.search_text.strip():
            return loaded.composer.refusal(q)
        t = time.perf_counter()
        vector = self.embedder.embed_query(q.search_text)
        timings["embed_query"] = (time.perf_counter() - t) * 1000
        hits = loaded.retriever.retrieve(q.search_text, vector, max(self.settings.top_k, self.tuning.chunks_considered), q.municipality, timings)
        answer = loaded.composer.compose(q, hits, vector, timings)
        if self.llm is not None and not answer.abstained:
            from assistant.llm import answer_with_llm

            t = time.perf_counter()
            answer = answer_with_llm(self.llm, q, hits, answer, loaded.composer)
            timings["llm"] = (time.perf_counter() - t) * 1000
        answer.retrieved = [Retrieved(h.chunk.doc_id, h.chunk.chunk_id, round(float(h.score), 6)) for h in hits]
        return answer


def _history_texts(history: list[Any] | None) -> list[str]:
    """Accept plain strings, {'role','content'} dicts or (user, bot) pairs; keep the user's turns."""
    texts: list[str] = []
    for turn in history or []:
        if isinstance(turn, str):
            texts.append(turn)
        elif isinstance(turn, dict) and turn.get("role", "user") == "user" and isinstance(turn.get("content"), str):
            texts.append(turn["content"])
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            texts.append(turn[0])
    return [t[:2000] for t in texts if t and t.strip()]


def _clean_controls(text: str) -> str:
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def _lang(text: str) -> str:
    from ingest.language import detect_language

    lang = detect_language(text)
    return "nn" if lang == "nn" else "nb"
