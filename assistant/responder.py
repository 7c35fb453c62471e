"""From a question (and the conversation before it) to an :class:`Answer`, for one loaded build.

The data flow, one component each: :class:`~assistant.query.QuestionReader` (language,
municipality, intents, parts, terms) → :mod:`assistant.conversation` (does it need the earlier
turn?) → :class:`~assistant.retrieval.HybridRetriever` per part → :class:`~assistant.answer.Composer`
(cited answer or helpful refusal) → :mod:`assistant.suggest` (next questions).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from assistant.answer import Composer, PartEvidence
from assistant.conversation import Kind, Turn, asks_what_a_name_is, kind_of, merge, previous_turn, unresolved, with_municipality_of
from assistant.models import Answer, Retrieved
from assistant.query import Part, Question, QuestionReader
from assistant.render import say
from assistant.retrieval import Hit, HybridRetriever
from assistant.suggest import neighbour_headings, suggestions
from assistant.text import tokens
from ingest.embedding import Embedder
from ingest.models import Chunk

OTHER_MUNICIPALITY_DEPTH = 12  # hits looked at to see whether another municipality also answers
ACROSS_DEPTH = 30  # hits looked at to see which municipalities a cross-municipality question concerns


@dataclass
class Result:
    """An answer with the question as understood and the hits of its first part."""

    answer: Answer
    question: Question
    hits: list[Hit]


@dataclass
class Responder:
    reader: QuestionReader
    retriever: HybridRetriever
    composer: Composer
    embedder: Embedder
    depth: int = 8
    focus_weight: float = 0.0  # share of the asking sentence's own vector in a question that tells a story (settings)
    _doc_rows: dict[str, tuple[slice, slice]] | None = field(default=None, init=False, repr=False)

    def chunks_of_doc(self, doc_id: str) -> list[Chunk]:
        """A plan's chunks in order (its rows found on first use: a national index holds 95k
        chunks, too many to scan for every answer's suggestions)."""
        if self._doc_rows is None:
            self._doc_rows = self.composer.index.doc_rows()
        rows = self._doc_rows.get(doc_id)
        return self.composer.index.chunks[rows[0]] if rows else []

    def understand(self, question: str, history: list[Turn], selected: str | None, hint: str | None) -> tuple[Question, Question | None]:
        """The question as read, completed from the earlier turn when it is a follow-up; and the
        completed alternative to try when it only might be one (``Kind.CHECK``). A question that
        names no municipality keeps the conversation's, whether or not it stands alone, unless it
        asks what a name is ("Kva er BTI?": defined where the plans define it)."""
        if history and hint not in ("nn", "nb"):  # the conversation's standard, when the app gave none
            hint = self.reader.language(history[-1].question, hint)
        q = self.reader.read(question, selected, hint)
        kind = kind_of(self.reader, q, bool(history))
        if not history:
            return q, None
        previous = previous_turn(self.reader, history, selected, hint)
        if previous is None:
            return q, None
        if kind == Kind.FOLLOW_UP:
            return merge(self.reader, q, previous), None
        if not asks_what_a_name_is(q):
            q = with_municipality_of(q, previous)
        return q, (merge(self.reader, q, previous) if kind == Kind.CHECK else None)

    def respond(self, question: str, history: list[Turn], selected: str | None, hint: str | None,
                timings: dict[str, float]) -> Result:
        """The answer to ``question`` in its conversation (see :meth:`understand`)."""
        q, alternative = self.understand(question, history, selected, hint)
        if not history and "open_help" not in q.intents and unresolved(self.reader, q):
            # "Kva alder gjeld det for?" in a new conversation: say so rather than guess what "det" is
            return Result(self.composer.refusal(q, None, reason=say(q.language, "refusal_unresolved"), pointer=False), q, [])
        result = self.answer(q, timings)
        if alternative is not None and result.answer.abstained:
            second = self.answer(alternative, timings)
            if not second.answer.abstained:
                return second
        return result

    def answer(self, q: Question, timings: dict[str, float]) -> Result:
        if not q.search_text.strip() or not q.terms and not q.parts:
            return Result(self.composer.refusal(q, None), q, [])
        parts = q.parts_or_whole()
        t = time.perf_counter()
        vectors = [self._query_vector(p) for p in parts]
        timings["embed_query"] = timings.get("embed_query", 0.0) + (time.perf_counter() - t) * 1000
        evidence = [PartEvidence(p, v, self._retrieve(q, p, v, timings)) for p, v in zip(parts, vectors)]
        answer = self.composer.compose(q, evidence, timings)
        answer.retrieved = _ranked([e.hits for e in evidence])
        if answer.abstained:
            self._point_elsewhere(q, answer, vectors[0], timings)
        else:
            answer.suggestions = self._suggestions(q, answer, vectors[0], timings)
        return Result(answer, q, evidence[0].hits)

    def retrieve(self, question: str, history: list[Turn], selected: str | None, k: int) -> list[Hit]:
        """The chunks the answer to ``question`` would be composed from (first part), best first.
        A municipality given here is a filter: it wins over one the question names."""
        q, _ = self.understand(question, history, selected, None)
        chosen = self.reader.municipalities.normalise(selected)
        if chosen:
            q.municipality, q.named = chosen, []
        elif not self.reader.municipalities.means_all(selected):
            return []  # a filter on a municipality without plans matches nothing
        part = q.parts_or_whole()[0]
        vector = self._query_vector(part) if part.dense_text else self.embedder.embed_query(q.text)
        return self._retrieve(q, part, vector, {}, max(k, self.depth))[:k]

    def _query_vector(self, part: Part) -> np.ndarray:
        """The part's meaning to search by. A parent's question often tells a story before it
        asks ("Sonen min slår andre barn. Jeg er helt tom. Finnes det kurs for foreldre?"); the
        story's words pull one vector towards passages about the story, so the asking sentence's
        own vector is blended in (``focus_weight``; tuned on dev, measured on test, holdout and
        out of domain: see the commit that added it). One extra embedding, only for such questions."""
        whole = self.embedder.embed_query(part.dense_text)
        if not part.focus or self.focus_weight <= 0:
            return whole
        blend = (1 - self.focus_weight) * whole + self.focus_weight * self.embedder.embed_query(part.focus_text)
        return (blend / np.linalg.norm(blend)).astype(whole.dtype)

    def _retrieve(self, q: Question, part: Part, vector: np.ndarray, timings: dict[str, float], n: int | None = None) -> list[Hit]:
        query_tokens = _expanded_tokens(part, q.language)
        n = n or self.depth
        spread = q.named if len(q.named) >= 2 else self._spread(q, part, vector, query_tokens) if "across" in q.intents and q.municipality is None else []
        if spread:
            hits: list[Hit] = []
            for m in spread:
                hits += self.retriever.retrieve(part.search_text, vector, n // 2 + 1, m, timings, q.language, query_tokens)
            return sorted(hits, key=lambda h: -h.score)
        return self.retriever.retrieve(part.search_text, vector, n, q.municipality, timings, q.language, query_tokens)

    def _spread(self, q: Question, part: Part, vector: np.ndarray, query_tokens: list[str]) -> list[str]:
        """The municipalities a question asked across all of them should be answered for: those
        whose plans come up for it at all (at most five)."""
        hits = self.retriever.retrieve(part.search_text, vector, ACROSS_DEPTH, None, None, q.language, query_tokens)
        return list(dict.fromkeys(h.chunk.municipality for h in hits))[:5]

    def _other_municipalities(self, q: Question, vector: np.ndarray, answered_from: set[str], timings: dict[str, float]) -> list[str]:
        """Municipalities not answered from whose plans also answer the question closely, in meaning
        and in words (the coverage a passage needs to be quoted without a close meaning match). Meaning
        alone is not enough: a worried parent's story sounds like many passages, and "Sogndal's plans
        answer this" would send a Sandnes parent to another municipality's offers."""
        part = q.whole()
        hits = self.retriever.retrieve(q.search_text, vector, OTHER_MUNICIPALITY_DEPTH, None, timings, q.language, _expanded_tokens(part, q.language))
        found: list[str] = []
        for h in hits:
            m = h.chunk.municipality
            if m in answered_from or m in found:
                continue
            pool = self.composer.candidates(part, [h], vector)
            if (pool and self.composer.supported(pool[0], pool, q.language) and self.composer.has_subject(part, pool, vector)
                    and max(c.coverage for c in pool[:4]) >= self.composer.tuning.min_coverage):
                found.append(m)
        return found

    def _suggestions(self, q: Question, answer: Answer, vector: np.ndarray, timings: dict[str, float]) -> list[str]:
        if not answer.citations:
            return []
        first = answer.citations[0]
        in_doc = self.chunks_of_doc(first.doc_id)
        chunk = next((c for c in in_doc if c.start <= first.start < c.end), None)
        headings = neighbour_headings(in_doc, chunk) if chunk is not None else []
        answered = {c.municipality for c in answer.citations}
        others = self._other_municipalities(q, vector, answered, timings) if q.municipality else []
        return suggestions(q.language, q.text, headings, [(q.search_text, m) for m in others])

    def _point_elsewhere(self, q: Question, answer: Answer, vector: np.ndarray, timings: dict[str, float]) -> None:
        """A refusal for one municipality says which other municipality's plans answer it."""
        if not q.municipality or q.details or q.others_named:
            return
        others = self._other_municipalities(q, vector, {q.municipality}, timings)
        if others:
            answer.text += "\n\n" + say(q.language, "pointer_elsewhere", municipality=others[0])
            answer.suggestions = suggestions(q.language, q.text, [], [(q.search_text, others[0])])


def _expanded_tokens(part: Part, lang: str) -> list[str]:
    """BM25 tokens of the part plus the plan words its terms stand for (every alternative)."""
    out = tokens(part.search_text, lang)
    out += [stem for term in part.terms for alt in term.alternatives for stem in alt]
    return list(dict.fromkeys(out))


def _ranked(per_part: list[list[Hit]]) -> list[Retrieved]:
    """One ranking for evaluation: the parts' hits interleaved by rank, without repeats."""
    seen: set[str] = set()
    out: list[Retrieved] = []
    for rank in range(max((len(h) for h in per_part), default=0)):
        for hits in per_part:
            if rank < len(hits) and hits[rank].chunk.chunk_id not in seen:
                seen.add(hits[rank].chunk.chunk_id)
                out.append(Retrieved(hits[rank].chunk.doc_id, hits[rank].chunk.chunk_id, round(float(hits[rank].score), 6)))
    return out
