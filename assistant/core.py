"""The Assistant: loads the index once and answers questions.

``Assistant.from_settings()`` wires the embedder, the index store's dense
search (:mod:`ingest.stores`), BM25 and the composer (or an optional LLM). ``ask`` never raises on
odd input: empty, oversized or hostile questions get a friendly answer. When
an ingest switches the index, the next question loads the new build and
swaps it in whole, so every answer comes from one build.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from assistant import bm25_cache, thesaurus
from assistant.answer import Composer, ComposerTuning
from assistant.arguments import check_ask_arguments
from assistant.bm25 import BM25Index
from assistant.compounds import CompoundSplitter
from assistant.conversation import turns_from
from assistant.evidence import Evidence
from assistant.lexicon import lexicon
from assistant.models import Answer
from assistant.municipalities import Municipalities
from assistant.pointers import PointerFinder
from assistant.privacy import find_personal_data, redact
from assistant.query import QuestionReader
from assistant.render import say
from assistant.responder import Responder
from assistant.retrieval import HybridRetriever
from assistant.text import lemma, normal, stem, words
from ingest.embedding import Embedder, make_embedder
from ingest.errors import IndexError_
from ingest.settings import Settings, load_settings
from ingest.stores import BuildStore, DenseSearch, make_store

log = logging.getLogger(__name__)



@dataclass
class _Loaded:
    """One build, fully loaded: swapped in as a whole."""

    build_id: str
    retriever: HybridRetriever
    composer: Composer
    responder: Responder
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
        self._thesaurus = thesaurus.load(settings.thesaurus_path)
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
            table = bm25_cache.table_for(bm25_cache.folder(s.index_dir), build_id, index.chunks)
            bm25 = BM25Index(table, [c.municipality for c in index.chunks])
            retriever = HybridRetriever(index, dense, s.rrf_k, s.dense_weight, s.bm25_weight, bm25)
            loaded = self._assemble(build_id, index, retriever, dense)
        except BaseException:
            dense.close()
            raise
        old, self._loaded = self._loaded, loaded
        if old is not None:
            old.dense.close()  # questions still running on it fall back to its in-memory vectors

    def _assemble(self, build_id: str, index: Any, retriever: HybridRetriever, dense: DenseSearch) -> _Loaded:
        """The answering components for one build: its municipalities, vocabulary and vectors."""
        municipalities = Municipalities(sorted({d.municipality for d in index.docs.values()}))
        splitter = CompoundSplitter(_vocabulary(index))
        related = thesaurus.Related(self._thesaurus, retriever.bm25.vocabulary, lambda w: stem(normal(w, "nb")), lexicon().stopwords)
        reader = QuestionReader(municipalities, splitter, related=related)
        evidence = Evidence(splitter, retriever.bm25.idf())
        pointers = PointerFinder(index.chunks, index.unit_vectors, index.unit_index)
        composer = Composer(index, evidence, pointers, self.tuning, holders_of=retriever.bm25.chunks_with)
        responder = Responder(reader, retriever, composer, self.embedder, max(self.settings.top_k, self.tuning.chunks_considered),
                              self.settings.focus_weight)
        return _Loaded(build_id, retriever, composer, responder, dense)

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

    def with_tuning(self, tuning: ComposerTuning) -> "Assistant":
        """A copy that answers with other composer settings and shares this one's loaded index
        (for ``python -m evals tune``: nothing of this Assistant changes)."""
        loaded = self._refresh()
        other = copy.copy(self)
        other.tuning = tuning
        other._lock = threading.Lock()
        base = loaded.composer
        composer = Composer(base.index, base.evidence, base.pointers, tuning, base.intents, base.holders_of)
        responder = Responder(loaded.responder.reader, loaded.retriever, composer, self.embedder, loaded.responder.depth,
                              loaded.responder.focus_weight)
        other._loaded = _Loaded(loaded.build_id, loaded.retriever, composer, responder, loaded.dense)
        return other

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
        turns = turns_from(history)[-self.settings.max_history_turns :]
        hint = language if language in ("nn", "nb", "en") else None
        lang = _lang(question, hint)
        if not question.strip() or not any(ch.isalnum() for ch in question):
            return Answer(say(lang, "empty"), abstained=True, language=lang, timings_ms={"total": 0.0})
        if len(question) > self.settings.max_question_chars:
            text = say(lang, "too_long", n=len(question), max=self.settings.max_question_chars)
            return Answer(text, abstained=True, language=lang, timings_ms={"total": 0.0})
        if self.settings.log_questions:
            log.info("question: %s", redact(question))
        loaded = self._refresh()
        timings: dict[str, float] = {}
        result = loaded.responder.respond(_clean_controls(question), turns, municipality, hint, timings)
        answer = result.answer
        if self.llm is not None and not answer.abstained:
            from assistant.llm import answer_with_llm

            t = time.perf_counter()
            retrieved = answer.retrieved
            answer = answer_with_llm(self.llm, result.question, result.hits, answer)
            answer.retrieved = retrieved
            timings["llm"] = (time.perf_counter() - t) * 1000
        kinds = find_personal_data(question)
        if kinds:
            answer.notice = say(answer.language, "pii", kinds=" og ".join(kinds))
        timings["total"] = (time.perf_counter() - t0) * 1000
        answer.timings_ms = {k: round(v, 2) for k, v in timings.items()}
        if answer.municipality is None and result.question.municipality:
            answer.municipality = result.question.municipality
        answer.answer_id = uuid.uuid4().hex
        answer.build_id = loaded.build_id
        return answer

    def read(self, question: str, municipality: str | None = None, language: str | None = None) -> Any:
        """How the assistant reads a question on its own (language, municipality, parts, terms)."""
        return self._refresh().responder.reader.read(_clean_controls(question), municipality, language)

    def retrieve(self, question: str, history: list[Any] | None = None, municipality: str | None = None, k: int = 5) -> list[Any]:
        """The top-k hits the answer is composed from (for evaluation, debugging and llama-index)."""
        loaded = self._refresh()
        return loaded.responder.retrieve(_clean_controls(question), turns_from(history), municipality, k)



def _clean_controls(text: str) -> str:
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def _lang(text: str, hint: str | None) -> str:
    from ingest.language import detect_language

    return detect_language(text, hint=hint)


def _vocabulary(index: Any) -> set[str]:
    """The plans' own lemmas: compound parts are known when the plans use them as words
    (each distinct word of each standard lemmatised once: a national index repeats most words)."""
    by_language: dict[str, set[str]] = {}
    for c in index.chunks:
        by_language.setdefault(c.language, set()).update(words(c.text))
    return {lemma(w, lang) for lang, distinct in by_language.items() for w in distinct if len(w) >= 3 and w.isalpha()}
