"""The grounded extractive composer: verbatim, cited sentences shaped by the question — or a
refusal that still points to the nearest help the plans name.

For each part of the question it scores the sentences and table rows of the retrieved chunks
(dense similarity to that part, weighted coverage of its terms, the section heading, the shape
of answer the part asks for), keeps the best and what belongs with it (list items under an
intro, the sentence a pronoun refers back to), and renders them in the asker's standard with a
short answer first when one can be cut from the evidence. It refuses when the plans are about
something else, when a name or acronym asked about never occurs in them, when a requested
detail (a phone number, a price …) is not in the evidence, or when no part has support.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from assistant.evidence import Evidence
from assistant.intents import Intents, intents
from assistant.lexicon import lexicon
from assistant.models import Answer
from assistant.pointers import (Pointer, PointerFinder, only_the_service_knows, responsible_service, service_keys, services_handling,
                                services_in)
from assistant.query import Part, Question, Term, plan_words_for
from assistant.render import Cited, Quote, body, detail_name, join, quotes_of, say
from assistant.retrieval import Hit
from assistant.text import lemma
from ingest.models import Chunk, Unit
from ingest.store import IndexData


@dataclass(slots=True)
class ComposerTuning:
    """Weights and thresholds, each with its reason; tuned on the dev set only."""

    # How a sentence is scored for a part: a weighted sum of its features (see Composer.candidates).
    lexical_weight: float = 0.15  # sharing the question's words beats only sounding alike
    handles_weight: float = 0.02  # an offer naming the service that handles the reader's situation ("krangler" → familievernkontoret, services.toml)
    section_weight: float = 0.04  # the heading names what the part asks about
    rank_weight: float = 0.03  # retrieval's order is a mild prior
    intent_bonus: float = 0.03  # the passage has the shape asked for (a role, a number …), or defines the term
    level_weight: float = 0.04  # about the level asked for (or about another level: minus)
    short_penalty: float = 0.05  # a fragment of under four words says little on its own
    long_penalty: float = 0.02  # per 40 words beyond 40: a wall of text is a poor quote (a plan's table row "Tiltak: … Beskrivelse: …" is long and often the offer asked about: 0.04 → 0.02, dev +0.5)
    example_penalty: float = 0.08  # a plan's invented case ("Ole (9) har …") does not answer a real question
    toc_penalty: float = 0.05  # a contents line ("3.2 Tiltak ….. 12") is not an answer
    question_penalty: float = 0.05  # a sentence that asks ("Kva er foreldrestøtte?", a heading) answers nothing
    keep_margin: float = 0.15  # a companion sentence must be nearly as good as the best
    max_units: int = 4  # per part: an answer, not a page (FA_MAX_SENTENCES sets it)
    list_units: int = 12  # a list question wants the whole list (its end is found in the text); this bounds a runaway one
    scope_floor: float = 0.83  # best sentence less similar than this: the plans are about something else
    min_coverage: float = 0.34  # lexical support needed …
    strong_dense: float = 0.88  # … unless the meaning matches this closely
    multi_margin: float = 0.04  # another municipality's best this close: answer for both
    across_margin: float = 0.15  # … and when the question asks across municipalities, this close
    chunks_considered: int = 8
    context_credit: float = 0.85  # a sentence may lean on the one before it for its subject
    help_floor: float = 0.84  # an open call for help is answered by a named service at least this close
    cross_language_offset: float = 0.04  # English meets Norwegian text this much less similar (e5, dev set)
    specific_share: float = 0.25  # the rarest quarter of the plans' words name things; one asked about must be there
    lexical_floor: float = 0.78  # with most of the question's weighted words present, a looser meaning match will do …
    lexical_coverage: float = 0.75  # … ("Hvor kommer Mikhail Tal fra?" matches on the name, not the phrasing)
    shape_margin: float = 0.12  # a unit of the asked-for shape may trail the best by this much
    detail_margin: float = 0.15  # … and so may a unit holding the detail asked for (a number, a date)
    list_margin: float = 0.10  # … and so may the intro of the list a list question asks for
    opening_weight: float = 0.05  # the first sentences under a heading that names the topic define it

    def weights(self) -> dict[str, float]:
        """Feature name → weight (dense similarity is the unit everything else is measured in)."""
        return _weights_of(self)


def _weights_of(t: "ComposerTuning") -> dict[str, float]:
    return {
        "dense": 1.0, "coverage": t.lexical_weight, "heading": t.section_weight, "rank": t.rank_weight,
        "shape": t.intent_bonus, "defines": t.intent_bonus, "opening": t.opening_weight, "level": t.level_weight,
        "short": -t.short_penalty, "long": -t.long_penalty, "example": -t.example_penalty, "toc": -t.toc_penalty,
        "asks": -t.question_penalty,
    }


@dataclass
class Candidate:
    unit: Unit
    chunk: Chunk
    rank: int
    dense: float
    coverage: float
    score: float
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class PartEvidence:
    """What the core retrieved for one part of the question."""

    part: Part
    vector: np.ndarray
    hits: list[Hit]
    candidates: list[Candidate] = field(default_factory=list)


NEAR_REPEAT = 0.6  # share of words two sentences hold in common to count as one said twice (see _repeats)
_EXAMPLE = re.compile(r"^\s*(døme|eksempel|example|case)\s*:|\b[A-ZÆØÅ][a-zæøå]+ \(\d{1,2}\)")
_TOC = re.compile(r"\.{4,}|…{2,}|\s\d{1,3}\s*$")
# opens with a pronoun, or names "this" within its first words ("Eksempler på dette kan være: …", "Ut fra dette …")
_BACK_REFERENCE = re.compile(r"^\s*(den|det|dei|de|dette|desse|disse|han|ho|hun|dette|slike|slik|these|this|it|they)\b"
                             r"|^\s*(\w+\s+){1,2}(dette|desse|disse|this|these)\b", re.IGNORECASE)
_RESPONSIBLE = re.compile(r"\b(Ansvarleg|Ansvarlig|Ansvar)\s*:\s*([^.;\n]+)")
_LEVEL_IN_TEXT = re.compile(r"\b(nivå|trinn)\s+(\d)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])\d[\d  ]*(?:[.,]\d+)?(?:\s?%|\s?prosent)?(?![\w.,]*\d)")
_DATE = re.compile(
    r"\b\d{1,2}\.\d{1,2}\.\d{4}\b|\b\d{1,2}\.\s?(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)\s\d{4}\b"
    r"|\b(?:hausten|våren|høsten|haust|vår)\s20\d\d\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_CHANNEL = re.compile(r"https?://\S+|www\.\S+|\b[\w.+-]+@[\w-]+\.\w+|jobbmobil\w*|Helsenorge|Digipost|eige skjema|eget skjema|\w*skjema\b", re.IGNORECASE)
# what says what a thing is: "X er …", "Med X meiner vi …", "X fungerer som …", or a glossary line "X: nettverk som …"
_SAYS_WHAT_IT_IS = re.compile(r"\b(er|var|betyr|tyder|inneber|innebærer|omfattar|omfatter|vil seie|vil si|is|are|means|blir|vert|"
                     r"meiner vi|mener vi|menes|meinast|fungerer som|fungerar som|definert som|defineres som|definerast som)\b"
                     r"|^([\w -]{2,40}:\s+)?[\w -]{2,40}:\s+(?-i:[a-zæøå])", re.IGNORECASE)  # a table row's label may come first ("Tiltak: X: …")
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-zæøå,] )[A-ZÆØÅ][a-zæøå]+")
_BARE_NUMBER = re.compile(r"^\s*\d{1,2}\s?[.)]\s*$")
FIELDS = 3  # labelled lines after a chosen sentence that come with it
CONTINUATIONS = 2  # sentences after a chosen one that each refer back to the one before come with it
_FIELD = re.compile(r"^\s*(?:[-•–*]\s*)?([A-ZÆØÅ][\wæøåÆØÅ /-]{2,30}):\s+\S")  # "Målgruppe: Foreldre med små barn."
_COLUMN = re.compile(r"^\s*([A-ZÆØÅ][\wæøåÆØÅ /-]{2,30}):\s+\d{1,2}\s?[.)]")  # "Risikofaktorer: 1. …": a numbered cell of a table column
_ENUMERATED = re.compile(r"^\s*(\d{1,2}\s?[.)]|[a-h][.)]\s|[•\-–*]\s)")
# a Norwegian verb's infinitive: after a modal and its pronoun ("skal jeg skrive", "jeg skal skrive") or after "å"
_PRONOUN = r"(?:eg|jeg|vi|me|du|de|dei|man|ein|en|han|ho|hun)"
_VERB_AFTER_MODAL = re.compile(
    rf"\b(?:(?:skal|skulle|kan|kunne|må|måtte|vil|ville|bør|burde)\s+{_PRONOUN}|{_PRONOUN}\s+(?:skal|skulle|kan|kunne|må|måtte|vil|ville|bør|burde)|å)"
    r"\s+(?:ikkje\s+|ikke\s+|berre\s+|bare\s+)?(?P<verb>[^\W\d_]+)")
SUBJECT_HOLDERS = 5  # other plans' passages naming a subject that are weighed against these (the nearest)
_HELP = {"help", "open_help"}  # a reader looking for help: the offers the plans name answer it
_SHAPED = {"who", "contact", "number", "frequency", "duration", "date", "target", "level", "place"}


class Composer:
    """Builds an :class:`Answer` from per-part evidence, using unit vectors stored at ingest."""

    def __init__(self, index: IndexData, evidence: Evidence, pointers: PointerFinder,
                 tuning: ComposerTuning | None = None, intent_data: Intents | None = None,
                 holders_of: "Callable[[str], np.ndarray] | None" = None) -> None:
        """``holders_of(token)`` gives the rows of the chunks whose text holds a token (from BM25)."""
        self.index = index
        self.holders_of = holders_of
        self.evidence = evidence
        self.pointers = pointers
        self.tuning = tuning or ComposerTuning()
        self.intents = intent_data or intents()
        self._openers = _section_openers(index.chunks)

    # --- scoring ----------------------------------------------------------------------

    def candidates(self, part: Part, hits: list[Hit], vector: np.ndarray) -> list[Candidate]:
        """Every unit of the top chunks, scored for this part: the weighted sum of
        :func:`features` (weights in :class:`ComposerTuning`)."""
        t = self.tuning
        weights = t.weights()
        levels = _levels(part.text) or _levels(part.search_text)
        out: list[Candidate] = []
        considered = hits[: t.chunks_considered]
        for rank, hit in enumerate(considered):
            chunk = hit.chunk
            lang = chunk.language
            section = self.evidence.keys(f"{chunk.chunk_id}#section", f"{chunk.title} {chunk.section}", lang)
            heading_keys = self.evidence.keys(f"{chunk.chunk_id}#heading", chunk.section.split(" › ")[-1], lang)
            heading = self.evidence.coverage(part.terms, heading_keys)
            opener = chunk.chunk_id in self._openers
            before: frozenset[str] = frozenset()
            for position, unit in enumerate(chunk.units):
                own = self.evidence.keys(unit.unit_id, unit.text, lang)
                dense = self._dense(unit, vector)
                coverage = self._coverage(part.terms, own | section, before)
                if part.focus:  # a story around the question: the asking sentence's own words count more, never less
                    coverage = max(coverage, (coverage + self._coverage(part.focus_terms, own | section, before)) / 2)
                n_words = len(unit.text.split())
                f = {
                    "dense": dense,
                    "coverage": coverage,
                    "heading": heading,
                    "rank": 1.0 / (1 + rank),
                    "shape": float(sum(self.intents.has_shape(i, unit.text) for i in part.intents)),
                    "defines": float("definition" in part.intents and self._defines(part, unit, lang)),
                    "opening": heading if opener and position < 2 else 0.0,
                    "level": self._level_fit(levels, unit, chunk),
                    "short": float(n_words < 4),
                    "long": max(0, n_words - 40) / 40,
                    "example": float(bool(_EXAMPLE.search(unit.text))),
                    "toc": float(bool(_TOC.search(unit.text))),
                    "asks": float(unit.text.rstrip().endswith("?")),
                }
                score = sum(weights[k] * v for k, v in f.items())
                out.append(Candidate(unit, chunk, rank, dense, coverage, score, f))
                before = own
        out.sort(key=lambda c: -c.score)
        return out

    def _coverage(self, terms: list[Term], keys: frozenset[str], before: frozenset[str]) -> float:
        """Share of the terms' weight a unit holds, or (a little discounted) with the sentence
        before it, which a unit may lean on for its subject."""
        return max(self.evidence.coverage(terms, keys), self.tuning.context_credit * self.evidence.coverage(terms, keys | before))

    def _defines(self, part: Part, unit: Unit, lang: str) -> bool:
        """'X er …', 'X (…) betyr …': the unit opens with a term the part asks about; or it spells
        out an acronym asked about ("Betre tverrfagleg innsats (BTI)", "BTI (Betre …)")."""
        for term in part.terms:
            if term.anchor and re.search(rf"\b{re.escape(term.text)}\s*\(\s*[A-ZÆØÅa-zæøå]|\(\s*{re.escape(term.text)}\s*\)", unit.text):
                return True
        return any(self._defines_term(term, unit, lang) for term in part.terms)

    def _defines_term(self, term: Term, unit: Unit, lang: str) -> bool:
        """'X er …', 'X omfattar …': the unit opens with the term and says what it is."""
        if not _SAYS_WHAT_IT_IS.search(" ".join(unit.text.split()[:10])):
            return False
        keys = self.evidence.keys(f"{unit.unit_id}#head", " ".join(unit.text.split()[:6]), lang)
        return self.evidence.has(term, keys)

    def _level_fit(self, levels: set[str], unit: Unit, chunk: Chunk) -> float:
        """A question about one level prefers passages about that level, not about others."""
        if len(levels) != 1:
            return 0.0
        own = _levels(unit.text)
        heading = _levels(chunk.section.split(" › ")[-1])
        if own - levels or (not own and heading - levels):
            return -1.0
        return 1.0 if (own | heading) & levels else 0.0

    # --- deciding -----------------------------------------------------------------------

    def supported(self, best: Candidate, others: list[Candidate], lang: str = "nb") -> bool:
        """Enough to answer: the plans are about this (a close sentence among the best few) and
        either the words asked are there, or the meaning matches closely, or the question's rare
        words (names, terms) are there even though the wording differs. An English question
        meets Norwegian text at a lower similarity, so its floors sit lower by a fixed offset."""
        t = self.tuning
        shift = t.cross_language_offset if lang == "en" else 0.0
        top = [best] + [c for c in others[:3] if c is not best]
        closest = max(c.dense for c in top)
        coverage = max(c.coverage for c in top if c.chunk.chunk_id == best.chunk.chunk_id)
        if closest >= t.strong_dense - shift:
            return True
        if closest >= t.scope_floor - shift and coverage >= t.min_coverage:
            return True
        return closest >= t.lexical_floor - shift and coverage >= t.lexical_coverage

    def in_scope(self, candidates: list[Candidate], lang: str) -> bool:
        """Some passage is about this: close in meaning, or close enough and holding most of the
        question's weighted words (a name asked about, as in a news question)."""
        t = self.tuning
        shift = t.cross_language_offset if lang == "en" else 0.0
        return any(c.dense >= t.scope_floor - shift or (c.dense >= t.lexical_floor - shift and c.coverage >= t.lexical_coverage)
                   for c in candidates)

    # --- composing ------------------------------------------------------------------------

    def compose(self, q: Question, parts: list[PartEvidence], timings: dict[str, float] | None = None) -> Answer:
        timings = timings if timings is not None else {}
        t0 = time.perf_counter()
        lang = q.language
        query_vector = parts[0].vector
        for pe in parts:
            pe.candidates = self.candidates(pe.part, pe.hits, pe.vector)
        all_candidates = [c for pe in parts for c in pe.candidates]
        near = _near_municipalities(q, all_candidates)
        elsewhere = [m for m in q.others_named if not q.named and not self._mentioned(m, all_candidates)]
        if elsewhere:
            return self.refusal(q, query_vector, reason=say(lang, "refusal_other_municipality", asked=join(lang, elsewhere),
                                                              available=join(lang, sorted({d.municipality for d in self.index.docs.values()}))), pointer=False)
        if not self.in_scope(all_candidates, lang):
            return self.refusal(q, query_vector, near=near)
        missing_anchor = self._missing_anchor(q, all_candidates)
        if missing_anchor is not None:
            return self.refusal(q, query_vector, reason=say(lang, "refusal_anchor", term=missing_anchor.text), near=near)
        answered = [pe for pe in parts if pe.candidates and self.supported(pe.candidates[0], pe.candidates, lang)]
        if not answered:
            if any("open_help" in pe.part.intents for pe in parts) and not q.details:
                helped = self._help_answer(q, parts[0])
                if helped is not None:
                    return helped
            return self.refusal(q, query_vector, near=near)
        groups = self._groups(q, answered)
        if not groups:
            return self.refusal(q, query_vector, near=near)
        self._add_offer(groups, answered)
        self._spell_out(answered, groups)
        self._add_details(q, groups, answered)
        chosen_all = [c for g in groups.values() for cs in g for c in cs]
        missing = self._missing_detail(q, chosen_all)
        if missing:
            about = [c for c in chosen_all if not c.features.get("field")]  # a line that only came along is not what was asked about
            return self.refusal(q, query_vector, reason=say(lang, "refusal_detail", detail=detail_name(lang, missing)), about=about, near=near)
        timings["select"] = (time.perf_counter() - t0) * 1000
        answer = self._render(q, groups, [pe for pe in parts if pe not in answered])
        timings["format"] = (time.perf_counter() - t0) * 1000 - timings["select"]
        return answer

    def _add_offer(self, groups: dict[str, list[list[Candidate]]], answered: list[PartEvidence]) -> None:
        """A reader looking for help (intents ``help``, ``open_help``), or telling their situation
        before they ask (a story: ``part.focus``), is given the offer the plans name that best fits
        it, even when other sentences won the ranking.

        A parent's story ("babyen sover nesten ikke om natta, vi er helt utslitt") sounds most like
        the plans' descriptions of the problem ("Mange unge sover for lite …"), so the offer
        ("… tilbyr … søvnveiledning") loses to them. Ranked only among the sentences that name a
        service (:mod:`assistant.pointers`), by the composer's own dense similarity and weighted word
        coverage, the right one comes first far more often than among all candidates (333 parents'
        questions in everyday words over the ten plan sets whose answer is such a sentence: first for
        0.41 of them, against 0.26 in the composer's ranking). Below ``MIN_SIMILARITY`` no service
        sentence is about the question, and nothing is added."""
        for m, per_part in groups.items():
            for pe, chosen in zip(answered, per_part):
                if not (pe.part.intents & _HELP or pe.part.focus):
                    continue
                best = self._best_offer(pe, m)
                # an offer sharing not one of the question's words is a guess from meaning alone
                if best is None or best.coverage <= 0:
                    continue
                # a plan that says the same twice (two entries for one offer) is quoted once: the chosen one leads
                mine = next((c for c in chosen if c.unit is best.unit or _repeats(self._keys(c), self._keys(best))), None)
                if mine is None:
                    chosen.append(best)
                    chosen += self._fields_of(best, chosen)  # who it is for and who runs it, as for a chosen offer
                    mine = best
                mine.features["first"] = float(bool(pe.part.intents & _HELP))  # asked for help: shown first, chosen or added

    def _best_offer(self, pe: PartEvidence, municipality: str) -> Candidate | None:
        """The municipality's service-naming sentence that best fits the part: dense similarity plus
        :meth:`_offer_credit` (the question's words it holds, and whether it names a service that
        handles the situation), at least ``MIN_SIMILARITY`` similar in meaning."""
        credit = self._offer_credit(pe.part.terms, pe.part.text)
        found = self.pointers.nearest(pe.vector, [municipality], words=credit)
        if found is None:
            return None
        coverage = self._words_held(pe.part.terms, found.unit, found.chunk)
        score = found.similarity + credit(found.unit, found.chunk, service_keys(found.unit.text, found.chunk.language))
        return Candidate(found.unit, found.chunk, 0, found.similarity, coverage, score, {"offer": 1.0})

    def _offer_credit(self, terms: list[Term], text: str) -> Callable[[Unit, Chunk, frozenset[str]], float]:
        """What a service-naming sentence earns beyond its meaning as help for a question: the
        question's words it holds (``lexical_weight``), and a little for naming a service that
        handles the situation the question tells of (``handles_weight``, ``[handles]`` in
        services.toml): "vi krangler bare om ungene" is the family counselling office's business,
        though by meaning it sits as close to the police's."""
        t = self.tuning
        handled = frozenset(k for name in services_handling(text) for k in service_keys(name, "nb"))

        def credit(unit: Unit, chunk: Chunk, services: frozenset[str]) -> float:
            return t.lexical_weight * self._words_held(terms, unit, chunk) + t.handles_weight * bool(services & handled)
        return credit

    def _words_held(self, terms: list[Term], unit: Unit, chunk: Chunk) -> float:
        """A sentence's weighted coverage of the question's words, its heading's words included."""
        return self.evidence.coverage(terms, self.evidence.keys(unit.unit_id, unit.text, chunk.language) | self._section_keys(chunk))

    def has_subject(self, part: Part, pool: list[Candidate], vector: np.ndarray) -> bool:
        """Whether this municipality's passages can answer the part as far as its subject goes.

        The subject is the part's most specific term (a rare word of the plans: "innsatsteam",
        "avlastning"). When none of these passages name it but another municipality's plans have
        a passage that does, with a sentence that fits the part at least as well as the best
        sentence here (meaning and words), those plans answer it and these don't ("Hvor ofte
        møtes innsatsteamet i Sandnes?" when only Sør-Aurdal has one). A rare word that merely
        occurs somewhere else in other plans ("nesten", "plaga" in a parent's story) is not enough."""
        verbs = {m.group("verb") for m in _VERB_AFTER_MODAL.finditer(part.text.lower())}  # "skal jeg skrive": what one does, not the subject
        specific = [t for t in part.terms if self.evidence.known(t) and self.evidence.rare(t, self.tuning.specific_share)
                    and t.text.lower() not in verbs]
        if not specific or not pool or self.holders_of is None:
            return True
        subject = max(specific, key=self.evidence.weight)
        here = pool[0].chunk.municipality
        if any(self.evidence.has(subject, self._keys(c) | self._section_keys(c.chunk)) for c in pool):
            return True
        chunks = self.index.chunks
        rows = self._holders(subject)
        if not rows or any(chunks[r].municipality == here for r in rows):
            return True
        nearest = sorted(rows, key=lambda r: -float(self.index.chunk_vectors[r] @ vector))[:SUBJECT_HOLDERS]
        elsewhere = max(self._fit(part, u, chunks[r], vector) for r in nearest for u in chunks[r].units)
        return elsewhere < max(c.dense + self.tuning.lexical_weight * c.coverage for c in pool)

    def _fit(self, part: Part, unit: Unit, chunk: Chunk, vector: np.ndarray) -> float:
        """How well a sentence answers a part, by the composer's two main features (meaning and the
        question's words, heading included)."""
        return self._dense(unit, vector) + self.tuning.lexical_weight * self._words_held(part.terms, unit, chunk)

    def _dense(self, unit: Unit, vector: np.ndarray) -> float:
        """A sentence's similarity to a part, from the unit vectors stored at ingest."""
        return float(self.index.unit_vectors[self.index.unit_index[unit.unit_id]] @ vector)

    def _holders(self, term: Term) -> set[int]:
        """The rows of the chunks whose text holds the term (any one-word form of it)."""
        assert self.holders_of is not None
        return {int(r) for alt in term.alternatives if len(alt) == 1 for r in self.holders_of(alt[0])}

    def _missing_anchor(self, q: Question, candidates: list[Candidate]) -> Term | None:
        """An acronym asked about that none of the retrieved passages mention (in any inflection:
        "BUP", "BUPs"). One the lexicon translates ("GP" → fastlege) is a common word, not a name
        the plans must use: "I'm a GP in Sør-Aurdal. What does the plan say I have to do …?"."""
        for term in (t for t in q.terms if t.anchor and not lexicon().expand(t.text.lower())):
            wanted = term.key
            if not any(k.startswith(wanted) for c in candidates for k in self._keys(c) | self._section_keys(c.chunk)):
                return term
        return None

    def _subject(self, q: Question) -> Term | None:
        """The weightiest term of the question that is not itself a detail word ("koster"). A name
        asked for belongs to the first thing named after the cue: in "Hva heter sjefen for
        landslaget i skiskyting?" the name is the chief's, and the sentence holding it need not
        say "skiskyting"."""
        spans = [m.span() for p in self.intents.detail_ask.values() for m in p.finditer(q.text)]
        asked = " ".join(q.text[a:b].lower() for a, b in spans)
        if "count" in q.details:
            asked += " " + _counted_noun(q.text)  # what is counted is not what the count is about ("kor mange gonger … DUÅ-kurset")
        terms = [t for t in q.terms if t.text.lower() not in asked and not t.text.startswith("phrase:")]
        if "person" in q.details and spans:
            after = q.text[min(b for _, b in spans):].lower()
            named = sorted((t for t in terms if t.text.lower() in after), key=lambda t: after.index(t.text.lower()))
            if named:
                return named[0]
        return max(terms, key=self.evidence.weight, default=None)

    def _shows(self, detail: str, c: Candidate, q: Question, subject: Term | None) -> bool:
        if detail == "count":
            about = subject is None or self.evidence.has(subject, self._keys(c) | self._section_keys(c.chunk))
            return _counts(c.unit.text, q.text, self.evidence, c.chunk.language, about, q.language)
        if detail == "person" and subject is not None and self._named(subject, c):
            return True
        found = self.intents.found(detail, c.unit.text, q.text)
        if detail == "person":
            found = [f for f in found if f[0] in "«\"" or any(self._proper(w) for w in f.split())]
        if not found:
            return False
        return subject is None or self.evidence.has(subject, self._keys(c) | self._section_keys(c.chunk))

    def _named(self, subject: Term, c: Candidate) -> bool:
        """The name of a thing asked for often begins with the thing's own word, capitalised inside
        a sentence: "Hva heter avdelingen …?" — "… Avdeling for traumatologi ved Ullevål …"."""
        lang = c.chunk.language
        asked = {alt[0] for alt in subject.alternatives if len(alt) == 1}  # the word itself, not a compound ending in it ("Rettleiar")
        text = c.unit.text
        return any(self.evidence.word_key(m.group(), lang) in asked and not self._in_capitalised_list(text, m.start(), m.end())
                   for m in _MID_SENTENCE_CAPITAL.finditer(text))

    def _in_capitalised_list(self, text: str, start: int, end: int) -> bool:
        """Whether a capitalised word stands next to a capitalised common word: a list of roles or
        services written with capitals ("Ansvarlig: Helsesykepleier Familieveileder Barnevern"),
        not the start of a name ("Avdeling for traumatologi …")."""
        before, after = text[:start].split()[-1:], text[end:].split()[:1]
        return any(w[:1].isupper() and not self._proper(w) for w in before + after)

    @cached_property
    def _lower_words(self) -> frozenset[str]:
        """Read on the first name asked for, not at start-up: at national scale it is a pass over
        every chunk's text, and most processes never answer a question for a name."""
        return _lower_case_words(self.index.chunks)

    def _proper(self, word: str) -> bool:
        """A capitalised word the plans never write in lower case is a name ("Ullevål", "Hansen");
        one they also write in lower case is a common word capitalised in a list or a label
        ("Ansvarlig: Helsesykepleier Familieveileder")."""
        bare = word.strip(".,;:!?()«»\"")
        return len(bare) > 1 and bare[0].isupper() and bare.lower() not in self._lower_words

    @staticmethod
    def _mentioned(name: str, candidates: list[Candidate]) -> bool:
        """Whether the retrieved passages themselves mention a place the question names."""
        return any(name.lower() in c.unit.text.lower() or name.lower() in c.chunk.title.lower() for c in candidates)

    def _spell_out(self, answered: list[PartEvidence], groups: dict[str, list[list[Candidate]]]) -> None:
        """"Kva er BTI?" is answered with what the letters stand for: when a question asks only what
        an acronym is and no chosen sentence spells it out, the plans' sentence that does
        ("Betre tverrfagleg innsats (BTI) er …", found among the chunks that use the acronym)
        joins the answer for each municipality it is given for."""
        if len(answered) != 1 or self.holders_of is None:
            return
        part, vector = answered[0].part, answered[0].vector
        if "definition" not in part.intents or len(part.terms) != 1 or not part.terms[0].anchor:
            return
        term = part.terms[0]
        spelled = re.compile(rf"\b{re.escape(term.text)}\s*\(\s*[A-ZÆØÅa-zæøå]|\(\s*{re.escape(term.text)}\s*\)")
        rows = self._holders(term)
        for m, per_part in groups.items():
            if len(per_part) != 1 or any(spelled.search(c.unit.text) for c in per_part[0]):
                continue
            found = [(self._dense(u, vector), u, chunk) for chunk in (self.index.chunks[r] for r in rows)
                     if chunk.municipality == m for u in chunk.units if spelled.search(u.text)]
            if found:
                dense, unit, chunk = max(found, key=lambda f: f[0])
                per_part[0].append(Candidate(unit, chunk, 0, dense, 1.0, per_part[0][0].score - 0.001))

    def _add_details(self, q: Question, groups: dict[str, list[list[Candidate]]], answered: list[PartEvidence]) -> None:
        """A detail asked for (how many, a date …) that the chosen units lack but a nearby unit of
        the same plan shows joins the answer, instead of the answer being refused."""
        if not q.details:
            return
        subject = self._subject(q)
        pool = sorted((c for pe in answered for c in pe.candidates), key=lambda c: -c.score)
        for m, per_part in groups.items():
            chosen = [c for cs in per_part for c in cs]
            best = chosen[0]
            for detail in sorted(q.details):
                if any(self._shows(detail, c, q, subject) for c in chosen):
                    continue
                extra = next((c for c in pool if c.chunk.municipality == m and c.chunk.doc_id == best.chunk.doc_id
                              and c.score >= best.score - self.tuning.detail_margin and self._shows(detail, c, q, subject)), None)
                if extra is not None:
                    per_part[0].append(extra)
                    chosen.append(extra)

    def _missing_detail(self, q: Question, chosen: list[Candidate]) -> str | None:
        """A requested detail must stand in a chosen passage that is about what was asked: a
        price next to "gratis møteplasser" is no price for a kindergarten place."""
        subject = self._subject(q)
        for detail in sorted(q.details):
            if not any(self._shows(detail, c, q, subject) for c in chosen):
                return detail
        if q.years and not any(y in c.chunk.text or y in c.chunk.section for c in chosen for y in q.years):
            return "year"  # "… i 2024?" answered from a passage about another year is no answer
        return None

    def _keys(self, c: Candidate) -> frozenset[str]:
        return self.evidence.keys(c.unit.unit_id, c.unit.text, c.chunk.language)

    def _section_keys(self, chunk: Chunk) -> frozenset[str]:
        return self.evidence.keys(f"{chunk.chunk_id}#section", f"{chunk.title} {chunk.section}", chunk.language)

    def _groups(self, q: Question, answered: list[PartEvidence]) -> dict[str, list[list[Candidate]]]:
        """Chosen units per municipality (usually one), per part."""
        first = answered[0].candidates
        best = first[0]
        municipalities = [best.chunk.municipality]
        if len(q.named) >= 2:  # a question naming several municipalities asks about each: each is tried on its own passages
            found = {c.chunk.municipality for pe in answered for c in pe.candidates}
            municipalities += [m for m in q.named if m in found and m not in municipalities]
        elif q.municipality is None:
            margin = self.tuning.across_margin if "across" in q.intents else self.tuning.multi_margin
            tops: dict[str, Candidate] = {}
            for c in first:
                tops.setdefault(c.chunk.municipality, c)
            for m, c in tops.items():
                if m in municipalities:
                    continue
                if c.score >= best.score - margin and self.supported(c, first, q.language):
                    municipalities.append(m)
            municipalities = municipalities[:4]
        groups: dict[str, list[list[Candidate]]] = {}
        for m in municipalities:
            per_part = []
            for pe in answered:
                pool = [c for c in pe.candidates if c.chunk.municipality == m]
                if pool and self.supported(pool[0], pool, q.language) and self.has_subject(pe.part, pool, pe.vector):
                    per_part.append(self._select(pe.part, pool, labelled=len(municipalities) > 1))
            if per_part:
                groups[m] = per_part
        return groups

    def _select(self, part: Part, pool: list[Candidate], labelled: bool) -> list[Candidate]:
        """The best unit, the companions nearly as good, what the asked-for shapes still need,
        the items of a list it introduces, and the sentence a pronoun in it refers back to."""
        t = self.tuning
        best = next((c for c in pool if not _EXAMPLE.search(c.unit.text)), pool[0])
        limit = t.max_units - (1 if labelled else 0)
        chosen = [best]
        for c in pool:
            if len(chosen) >= limit:
                break
            if c is best or c.score < best.score - t.keep_margin or c.chunk.doc_id != best.chunk.doc_id:
                continue
            if _EXAMPLE.search(c.unit.text) or any(_repeats(self._keys(c), self._keys(k)) for k in chosen):
                continue
            chosen.append(c)
        chosen += self._for_shapes(part, pool, chosen, best)
        chosen += self._for_terms(part, pool, chosen, best)
        items = self._list_items(part, pool, best, chosen)
        if items:
            chosen = [c for c in chosen if c.chunk.doc_id == best.chunk.doc_id] + items
        chosen = self._with_antecedents(_unique(chosen))
        if not items:  # a list intro that came in as the sentence before or after a chosen one brings its items too
            items = self._list_items(part, pool, best, chosen)
            chosen = _unique(chosen + items)
        return chosen

    def _for_shapes(self, part: Part, pool: list[Candidate], chosen: list[Candidate], best: Candidate) -> list[Candidate]:
        """For each answer shape the part asks for (how often, who, a number …) that no chosen
        unit shows yet, the best unit of the same plan that shows it."""
        shows = [lambda unit, intent=intent: self.intents.has_shape(intent, unit.text) for intent in sorted(part.intents & _SHAPED)]
        return self._meeting(shows, pool, chosen, best)

    def _for_terms(self, part: Part, pool: list[Candidate], chosen: list[Candidate], best: Candidate) -> list[Candidate]:
        """A difference between terms ("universell, selektiv og indikert"), or a definition of several,
        needs each term's defining sentence: for each term no chosen unit defines yet, the best
        unit of the same plan that does."""
        if not ("difference" in part.intents or "definition" in part.intents and len(part.terms) > 1):
            return []
        lang = best.chunk.language
        defines = [lambda unit, term=term: self._defines_term(term, unit, lang) for term in part.terms]
        return self._meeting(defines, pool, chosen, best)

    def _meeting(self, needs: list[Callable[[Unit], bool]], pool: list[Candidate], chosen: list[Candidate],
                 best: Candidate) -> list[Candidate]:
        """For each need no chosen unit meets yet, the best unit of the best one's plan that meets
        it, among those within ``shape_margin`` of the best (never an invented example)."""
        extra: list[Candidate] = []
        for meets in needs:
            if any(meets(c.unit) for c in chosen + extra):
                continue
            for c in pool:
                if c.score < best.score - self.tuning.shape_margin:
                    break
                if c.chunk.doc_id == best.chunk.doc_id and not _EXAMPLE.search(c.unit.text) and meets(c.unit):
                    extra.append(c)
                    break
        return extra

    def _list_items(self, part: Part, pool: list[Candidate], best: Candidate, chosen: list[Candidate]) -> list[Candidate]:
        """A list question answered by the lines under the intro that best matches it: the intro
        ("Tre nivå :"), then the first sentence of each following line, across chunk borders. An
        intro already chosen for the answer is one however far it trails the best unit, and brings
        its items whatever was asked: "… i tre områder som må styrkes:" without the three would
        end a quote on a colon."""
        opens = any(c.unit.text.rstrip().endswith(":") for c in chosen)
        if "list" not in part.intents and not opens:
            return []
        intro = next((c for c in pool if self._introduces_list(c.unit, "list" in part.intents) and c.chunk.doc_id == best.chunk.doc_id
                      and (c.score >= best.score - self.tuning.list_margin or any(c.unit is k.unit for k in chosen))), None)
        if intro is None:
            return []
        numbers = self.intents.numbers
        counted = _count_asked(part.text, numbers) or _count_asked(intro.unit.text, numbers)
        lines = (self._following_headings(intro.unit, counted) if counted else []) or self._following_lines(intro.unit, counted or self.tuning.list_units, part)
        out = [intro]
        for unit, chunk in lines:
            out.append(Candidate(unit, chunk, intro.rank, intro.dense, intro.coverage, intro.score - 0.001, {"item": 1.0}))
        return out if len(out) > 1 else []

    def _introduces_list(self, unit: Unit, asked: bool) -> bool:
        """A line ending in a colon ("Tiltaka er:"); or, for a list question, a line that names how
        many items follow and ends without a full stop ("… har tre prioriterte satsingsområde")."""
        text = unit.text.rstrip()
        if text.endswith(":"):
            return True
        if not asked or not _count_asked(text, self.intents.numbers) or text[-1:] in ".!?":
            return False
        doc = self.index.doc_texts[unit.doc_id]
        return doc[unit.end : unit.end + 1] in ("\n", "")

    def _following_lines(self, intro: Unit, wanted: int, part: Part | None = None) -> list[tuple[Unit, Chunk]]:
        """The items after ``intro`` in its plan: numbered items ("1.", "2.") wherever they sit
        (headings and blank lines may come between) until the numbering starts again; or else
        the next lines until a blank line or a heading. An item that is only its number ("1.")
        keeps the sentence that follows it on its line. Lines labelled by the column of the table
        they come from ("Risikofaktorer: 1. …", then "Beskyttelsesfaktorer: 1. …") are counted
        per label, and only the columns the part names are kept when it names any (see
        :meth:`_asked_columns`)."""
        text = self.index.doc_texts[intro.doc_id]
        at = self.index.unit_index[intro.unit_id]
        window = [u for u in self.index.units[at + 1 : at + 1 + 8 * wanted] if u.doc_id == intro.doc_id]
        heads = [u for u in window if u.start == 0 or text[u.start - 1] == "\n"]
        numbered = [u for u in heads if _ENUMERATED.match(u.text)]
        chosen: list[Unit] = []
        if numbered and heads.index(numbered[0]) <= 2:
            last = 0
            for u in numbered:
                n = _item_number(u.text)
                if len(chosen) >= wanted or (n is not None and n <= last):
                    break  # a new list starts numbering again
                last = n if n is not None else last + 1
                chosen.append(u)
        else:
            end = intro.end
            for u in heads:
                gap = text[end : u.start]
                if sum(_column(c.text) == _column(u.text) for c in chosen) >= wanted or (chosen and ("\n\n" in gap or gap.strip())):
                    break  # a blank line or a heading ends the list
                chosen.append(u)
                end = next((w.end for w in window if w.start >= u.start and (w.end == len(text) or text[w.end : w.end + 1] == "\n")), u.end)
            chosen = self._asked_columns(chosen, part, intro) or chosen[:wanted]
        out: list[Unit] = []
        for u in chosen:
            out.append(u)
            if _BARE_NUMBER.match(u.text):
                following = next((w for w in window if w.start >= u.end), None)
                if following is not None and "\n" not in text[u.end : following.start]:
                    out.append(following)
        return [(u, self.index.chunks[self.index.chunk_index[u.chunk_id]]) for u in out]

    def _asked_columns(self, lines: list[Unit], part: Part | None, intro: Unit) -> list[Unit]:
        """Of lines from several columns of a table ("Risikofaktorer: …", "Beskyttelsesfaktorer: …"),
        those of the columns whose label the part names ("Hvilke beskyttelsesfaktorer …?"), without
        the unlabelled lines that run on after the table; [] when fewer than two columns are
        labelled or the part names none of their labels."""
        columns = [c for c in dict.fromkeys(_column(u.text) for u in lines) if c]
        if part is None or len(columns) < 2:
            return []
        lang = self.index.chunks[self.index.chunk_index[intro.chunk_id]].language
        asked = {c for c in columns if self.evidence.coverage(part.terms, self.evidence.keys(f"column:{c}", c, lang)) > 0}
        return [u for u in lines if _column(u.text) in asked]

    def _following_headings(self, intro: Unit, wanted: int) -> list[tuple[Unit, Chunk]]:
        """When a heading comes right after the intro ("… i tre områder som må styrkes:" and then
        "Kompetanse", its text, "Samarbeid og medvirkning" …), the items are the next ``wanted``
        headings, each quoted verbatim and cited with the passage it heads; [] when no heading
        follows, or when numbered items stand under the headings (those are the list). Only for a
        counted list: a count says where the headings of the list end."""
        text = self.index.doc_texts[intro.doc_id]
        at = self.index.unit_index[intro.unit_id]
        out: list[tuple[Unit, Chunk]] = []
        end = intro.end
        for unit in self.index.units[at + 1 :]:
            if unit.doc_id != intro.doc_id or len(out) >= wanted:
                break
            chunk = self.index.chunks[self.index.chunk_index[unit.chunk_id]]
            gap = text[end:unit.start]
            heading = chunk.section.split(" › ")[-1].strip()
            found = gap.find(heading) if heading and chunk.units and chunk.units[0] is unit else -1
            if found < 0:
                if not out:
                    return []  # the intro is followed by its items' own lines, not by headings
            else:
                if _ENUMERATED.match(unit.text):
                    return []  # numbered items under group headings ("Kompetanse" / "1. Felles …"): the items are the list
                start = end + found
                out.append((Unit(f"{chunk.chunk_id}#heading", chunk.chunk_id, chunk.doc_id, heading, start, start + len(heading)), chunk))
            end = unit.end
        return out if len(out) == wanted else []

    def _with_antecedents(self, chosen: list[Candidate]) -> list[Candidate]:
        """A chosen sentence that opens with 'Den', 'Dette', 'They' … brings the sentence before it;
        the sentence after a chosen one comes too when it continues it: it opens by referring back,
        with a pronoun or with the definite form of a noun the chosen one introduced ("… fått
        tilskot frå Bufdir." → "Tilskotet gjeld for ein treårsperiode.")."""
        out = list(chosen)
        for c in chosen:
            units = c.chunk.units
            at = units.index(c.unit) if c.unit in units else -1
            if at > 0 and _BACK_REFERENCE.search(c.unit.text) and all(o.unit is not units[at - 1] for o in out):
                out.append(Candidate(units[at - 1], c.chunk, c.rank, c.dense, c.coverage, c.score - 0.001))
            previous = c
            for after in units[at + 1 : at + 1 + CONTINUATIONS] if at >= 0 else []:  # a continuation may go on in turn
                if any(o.unit is after for o in out) or not self._continues(previous, after):
                    break
                previous = Candidate(after, c.chunk, c.rank, c.dense, c.coverage, c.score - 0.001)
                out.append(previous)
            out += self._fields_of(c, out)
            owner = self._owner_of(c, at)
            if owner is not None and all(o.unit is not owner for o in out):
                out.append(Candidate(owner, c.chunk, c.rank, c.dense, c.coverage, c.score - 0.001, {"field": 1.0}))
        return out

    def _fields_of(self, c: Candidate, chosen: list[Candidate]) -> list[Candidate]:
        """The labelled lines after ``c`` (:meth:`_fields_after`) not chosen yet, as candidates."""
        units = c.chunk.units
        at = units.index(c.unit) if c.unit in units else -1
        return [Candidate(f, c.chunk, c.rank, c.dense, c.coverage, c.score - 0.001, {"field": 1.0})
                for f in self._fields_after(c, at) if all(o.unit is not f for o in chosen)]

    def _owner_of(self, c: Candidate, at: int) -> Unit | None:
        """For a chosen labelled line ("Forankring: helsestasjonen"), the sentence it describes: the
        nearest line before it in the same paragraph that has no label (at most FIELDS lines up)."""
        if at <= 0 or not _FIELD.match(c.unit.text) or _BACK_REFERENCE.search(c.unit.text):
            return None
        units = c.chunk.units
        later = c.unit
        for before in reversed(units[max(0, at - FIELDS) : at]):
            if not self._same_paragraph(before, later):
                return None
            if not _FIELD.match(before.text):
                return before
            later = before
        return None

    def _fields_after(self, c: Candidate, at: int) -> list[Unit]:
        """The labelled lines right after a chosen sentence ("Målgruppe: …", "Forankring: …"): an
        offer's description is followed by who it is for and who runs it, which a reader asking
        about the offer needs as much as the description (at most FIELDS lines, same paragraph)."""
        if c.unit.text.rstrip().endswith(":") or c.features.get("item") and _COLUMN.match(c.unit.text):
            return []  # what follows a list's intro, or a table cell listed by its column, is the list, chosen as such
        units = c.chunk.units
        out: list[Unit] = []
        previous = c.unit
        own = _label(c.unit.text)
        for after in units[at + 1 : at + 1 + FIELDS] if at >= 0 else []:
            if not self._same_paragraph(previous, after) or not _FIELD.match(after.text):
                break
            if own and _label(after.text) == own:
                break  # "Oppgaver: …" after "Oppgaver: …": the next cell of the same column, not a field of this one
            out.append(after)
            previous = after
        return out

    def _same_paragraph(self, earlier: Unit, later: Unit) -> bool:
        """Whether no blank line separates two units of one document."""
        return "\n\n" not in self.index.doc_texts[later.doc_id][earlier.end : later.start]

    def _continues(self, c: Candidate, after: Unit) -> bool:
        """Whether ``after`` (the next sentence in the same passage) opens by referring back to ``c``."""
        if not self._same_paragraph(c.unit, after) or _ENUMERATED.match(after.text) or _COLUMN.match(after.text):
            return False  # another paragraph or a list item (or a table's numbered cell)
        if _BACK_REFERENCE.search(after.text):
            return True
        first = after.text.split(maxsplit=1)[0].strip(",.:;«»\"'") if after.text.strip() else ""
        if not first[:1].isupper() or len(first) < 4:
            return False
        key = self.evidence.word_key(first, c.chunk.language)
        return bool(key) and key in self._keys(c) and first.lower() not in c.unit.text.lower()

    # --- rendering ------------------------------------------------------------------------------

    def _render(self, q: Question, groups: dict[str, list[list[Candidate]]], unanswered: list[PartEvidence]) -> Answer:
        lang = q.language
        cited = Cited(self.index.doc_texts)
        blocks: list[str] = []
        lead_text = ""
        for m, per_part in groups.items():
            units = [(c.unit, c.chunk) for cs in per_part for c in cs]
            quotes = _offer_first(quotes_of(units), per_part)
            block = body(lang, quotes, cited)
            if not lead_text:
                lead_text = self._lead(q, [c for cs in per_part for c in cs], cited, quotes)
            blocks.append(f"**{m}:** {block}" if len(groups) > 1 else block)
        text = "\n\n".join(blocks)
        notes = [say(lang, "part_missing", part=pe.part.text.strip(" ?")) for pe in unanswered]
        if len(q.named) >= 2:  # a municipality the reader asked about whose plans don't answer is said so, not left out
            notes += [say(lang, "municipality_missing", municipality=m) for m in q.named if m not in groups]
        if notes:
            text = f"{text}\n\n" + " ".join(notes)
        first = next(iter(groups))
        if q.named and q.selected and q.named[0] != q.selected and q.municipality_source == "question":
            text = f"{say(lang, 'override', named=q.named[0], selected=q.selected)}\n\n{text}"
        if lead_text:
            text = f"{lead_text}\n{text}"
        if q.injection:
            text = f"{say(lang, 'injection')}\n\n{text}"
        return Answer(text=text, abstained=False, language=lang, citations=cited.citations,
                      municipality=first if len(groups) == 1 else None, lead=lead_text)

    def _lead(self, q: Question, chosen: list[Candidate], cited: Cited, quotes: list[Quote]) -> str:
        """A short answer cut verbatim from the best evidence, when the question asks for one thing.
        For a reader asking for help the best evidence is the offer the answer leads with, and who
        runs it may stand in a line of its own in the quote ("… tilbyr barnesamtaler … Ansvarlig:
        Helsesykepleier Familieveileder …")."""
        best = next((c for c in chosen if c.features.get("first")), None) or max(chosen, key=lambda c: c.score)
        quote = next((qt for qt in quotes if any(u is best.unit for u in qt.units)), None)
        if quote is None:
            return ""
        _, n = cited.cite(quote)
        text = best.unit.text
        if best.features.get("first") and not _RESPONSIBLE.search(text):
            text = " ".join(u.text for u in quote.units)
        found = _short_answer(q, text, [c.unit.text for c in chosen])
        return f"**{say(q.language, 'lead')} {found}** [{n}]" if found else ""

    def _help_answer(self, q: Question, pe: PartEvidence) -> Answer | None:
        """An open call for help ("kven kan eg snakke med?") is answered by the help the plans name
        that is closest to the worry, even when the worry itself is not in the plans."""
        t = self.tuning
        found = self.pointers.nearest_many(pe.vector, _near_municipalities(q, pe.candidates), k=2, floor=t.help_floor)
        if not found:
            return None
        chosen = [Candidate(p.unit, p.chunk, 0, p.similarity, 0.0, p.similarity) for p in found]
        return self._render(q, {found[0].chunk.municipality: [chosen]}, [])

    def _responsible(self, about: list[Candidate]) -> Pointer | None:
        """The service responsible for what the question is about, from the passages about it
        (their own units first, then the other units of their chunks: a table row's
        "Forankring:" cell may sit in a unit of its own)."""
        ranked = sorted(about, key=lambda c: -c.score)
        neighbours = [Candidate(u, c.chunk, c.rank, c.dense, c.coverage, c.score - 0.001)
                      for c in ranked for u in c.chunk.units if all(u is not a.unit for a in ranked)]
        fields = [c for c in ranked + neighbours if responsible_service(c.unit.text)]
        return _responsible_in(fields or ranked)

    # --- refusing ---------------------------------------------------------------------------------

    def refusal(self, q: Question, query_vector: np.ndarray | None, reason: str = "", pointer: bool = True,
                about: list[Candidate] | None = None, near: list[str] | None = None) -> Answer:
        """Say the plans don't answer, why when known, and the nearest help they name (cited).

        When the plans do describe what was asked about but lack the detail (a price, opening
        hours), the help is the service they make responsible for that thing; otherwise it is
        the service-naming sentence closest in meaning to the question. A question for what only
        a service can say (its phone number, opening hours, who works there) that names the
        service is pointed to that service, and to how to reach it where a plan says so."""
        lang = q.language
        lines = [say(lang, "refusal") + (f" {reason}" if reason else "")]
        cited = Cited(self.index.doc_texts)
        found = self._responsible(about or []) if pointer else None
        reach = only_the_service_knows(q.details)
        # the first service named is the one asked about ("helsesjukepleiaren på skulen"); and only for such a detail:
        # otherwise a service named is often the story's setting ("han vil ikkje på skulen")
        # … or, naming none, the service whose business the question names ("kontantstøtte": NAV)
        named = (services_in(q.text)[:1] or services_handling(q.text)[:1]) if reach else []
        asked = service_keys(named[0], lang) if named else frozenset()
        if pointer and query_vector is not None and (found is None or asked and not asked & service_keys(found.service, lang)):
            municipalities = near if near is not None else ([q.municipality] if q.municipality else [])
            # ranked as the offers added to answers are, by meaning and the question's words: a story in everyday words
            # sounds like many passages ("Vi skal skille oss … unger som skal bo to steder" by meaning alone: the police)
            nearest = self.pointers.nearest(query_vector, municipalities, asked, reach, words=self._offer_credit(q.terms, q.text))
            if found is None or nearest is not None and asked & service_keys(nearest.service, lang):
                found = nearest
        if found is not None:
            text, n = cited.cite(Quote(found.chunk, [found.unit]))
            frame = say(lang, "frame", title=found.chunk.title, municipality=found.chunk.municipality)
            lines.append(f"{say(lang, 'pointer', service=found.service)} – {frame} {text.strip()} [{n}]")
        if q.injection:
            lines.insert(0, say(lang, "injection"))
        return Answer(text="\n\n".join(lines), abstained=True, language=lang, citations=cited.citations, municipality=q.municipality)


def _offer_first(quotes: list[Quote], per_part: list[list[Candidate]]) -> list[Quote]:
    """Quotes in document order, but a reader who asked for help sees the offer added for it first:
    "Kan vi få hjelp?" after a story is answered by "Helsestasjonen … tilbyr søvnveiledning", not by
    the plans' account of the problem the story matched. Only for a one-part question: in a
    multi-part answer the parts keep their order."""
    if len(per_part) != 1:
        return quotes
    offers = [c.unit for c in per_part[0] if c.features.get("first")]
    first = [qt for qt in quotes if any(u is o for u in qt.units for o in offers)]
    return first + [qt for qt in quotes if all(qt is not f for f in first)]


def _responsible_in(candidates: list[Candidate]) -> Pointer | None:
    for c in candidates:
        service = responsible_service(c.unit.text) or next(iter(services_in(c.unit.text)), "")
        if service:
            return Pointer(service, c.unit, c.chunk, c.dense)
    return None


def _short_answer(q: Question, best: str, texts: list[str]) -> str:
    intents_ = q.intents
    if "level" in intents_ and not _levels(q.text):
        m = _LEVEL_IN_TEXT.search(best)
        if m:
            return f"{m.group(1).capitalize()} {m.group(2)}"
    if intents_ & {"who", "contact", "help"}:
        m = _RESPONSIBLE.search(best)
        if m:  # "Ansvar: Helsestasjonen – Kontinuerleg": who, then (after a spaced dash) when
            return m.group(2).split(" – ")[0].strip()
    if "date" in intents_ or "date" in q.details:
        dates = list(dict.fromkeys(m.group(0) for m in _DATE.finditer(best)))
        if len(dates) == 1 and dates[0] not in q.text:
            return dates[0]
    if intents_ & {"number", "frequency", "duration"} or "count" in q.details:
        numbers = [m.group(0).strip() for m in _NUMBER.finditer(best) if m.group(0).strip() not in q.text]
        if len(set(numbers)) == 1:
            return numbers[0]
    if "contact" in intents_ or "procedure" in intents_:
        channels = list(dict.fromkeys(m.group(0).rstrip(".,)") for m in _CHANNEL.finditer(best)))
        if channels:
            return ", ".join(channels[:3])
    return ""


def _levels(text: str) -> set[str]:
    return {d for m in re.finditer(r"\b(?:nivå|trinn|level)\s+(\d(?:\s*(?:,|og|-|eller|and|or)\s*(?:nivå\s+)?\d)*)", text, re.IGNORECASE)
            for d in re.findall(r"\d", m.group(1))}


_AGE_OR_RANGE = re.compile(r"\d[\d  ]*\s*(?:[–-]\s*\d+\s*)?(?:til\s+\d+\s*)?(?:år|års|years|-år)\b|\d+\s*[–-]\s*\d+|\d+\s+til\s+\d+", re.IGNORECASE)
_REFERENCE_BEFORE = re.compile(r"(\d\s?[-–./]|§|St\.|nr\.?|kap\w*\.?|side|s\.|punkt|pkt\.?|steg|nivå|trinn|level)\s*$", re.IGNORECASE)
_SHARE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?\s?(?:%|prosent\b|percent\b)", re.IGNORECASE)  # "55 %", "12 prosent"
_COUNTED = re.compile(r"\b(?:kor|hvor)\s+mange\s+(\w+)(?:\s+(\w+))?|\bhow\s+many\s+(\w+)(?:\s+(\w+))?", re.IGNORECASE)
# the words after a number are looked at, not consumed: in "i 1920 om lag 20 skipsverft" the year's
# words hold the next number, which must get its own look
_NUMBER_THEN_WORDS = re.compile(r"(?<![\w.,])(\d[\d  .,]*|ein|en|eitt|ett|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|tolv|tjue)(?=\s+((?:[\w-]+\s+){0,2}[\w-]+))", re.IGNORECASE)


def _counted_noun(question: str) -> str:
    """What 'kor mange …' counts: the word after it, or an adjective and its noun ("hvor mange nye
    saker"); not the verb after the noun ("kor mange gonger møtest ein": 'møtest' counts nothing)."""
    asked = _COUNTED.search(question)
    if not asked:
        return ""
    first, second = (asked.group(1), asked.group(2)) if asked.group(1) else (asked.group(3), asked.group(4))
    return (f"{first} {second}" if second and first.lower().endswith("e") else first).lower()


def _counts(text: str, question: str, evidence: Evidence, lang: str, about_subject: bool, asked_in: str = "nb") -> bool:
    """'Kor mange X …?' is answered by a number (not a year) that counts X ("27 meldingar"), by a
    share of X in a sentence naming X and what was asked ("Ungdomsskoleelever flest …, 55 % oppgir at …"), or by a
    number in a passage about what was asked. The reader's word for X counts as the plans' words
    for it ("How many reports …?" — "27 meldinger")."""
    noun = _counted_noun(question)
    plan_words = " ".join(w for word in noun.split() for w in plan_words_for(word, lemma(word, asked_in), asked_in))  # "reports" → melde
    wanted = evidence.keys(f"noun:{asked_in}:{noun}", f"{noun} {plan_words}", lang) if noun else frozenset()  # keyed by the asking language too
    if wanted & evidence.keys(f"text:{hash(text)}", text, lang):
        if about_subject and _SHARE.search(text):
            return True
        about_subject = False  # it names what was counted, but no number stands next to it
    for m in _NUMBER_THEN_WORDS.finditer(text):
        number = m.group(1).strip()
        if re.fullmatch(r"(19|20)\d\d", number) or (not any(ch.isdigit() for ch in number) and not wanted):
            continue
        following = evidence.keys(f"after:{m.group(2).lower()}", m.group(2), lang)
        if wanted & following or any(k.startswith(w) or w.startswith(k) for k in following for w in wanted if len(w) > 3 and len(k) > 3):
            return True
        reference = _REFERENCE_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
        if about_subject and any(ch.isdigit() for ch in number) and not _AGE_OR_RANGE.match(text[m.start():]) and not reference:
            return True  # "Ved utgangen av 2022 var 82 548 bosatt …" — a count, though not of the word asked
    return False


def _near_municipalities(q: Question, candidates: list[Candidate], most: int = 3) -> list[str]:
    """Where to look for the nearest help: the municipality asked about, else those of the best
    passages (never every municipality of a national index)."""
    if q.municipality:
        return [q.municipality]
    ranked = sorted(candidates, key=lambda c: -c.score)
    return list(dict.fromkeys(c.chunk.municipality for c in ranked))[:most]


def _lower_case_words(chunks: list[Chunk]) -> frozenset[str]:
    """Every word the plans write in lower case somewhere: common words, whatever their case elsewhere."""
    return frozenset(w for c in chunks for w in re.findall(r"(?<![\w-])[a-zæøåéü][\w-]*", c.text))


def _section_openers(chunks: list[Chunk]) -> set[str]:
    """Chunks that begin a section: their first sentences open what the heading names."""
    out: set[str] = set()
    previous: Chunk | None = None
    for chunk in chunks:
        if previous is None or previous.doc_id != chunk.doc_id or previous.section != chunk.section:
            out.add(chunk.chunk_id)
        previous = chunk
    return out


def _column(text: str) -> str:
    """The label a table cell's line carries ("Risikofaktorer: 1. Skadelige …" → "Risikofaktorer"), or ''."""
    m = _COLUMN.match(text)
    return m.group(1) if m else ""


def _item_number(text: str) -> int | None:
    m = re.match(r"\s*(\d{1,2})\s?[.)]", text)
    return int(m.group(1)) if m else None


def _count_asked(text: str, numbers: dict[str, int]) -> int:
    """'Kva er dei tre nivåa?' → 3 (``numbers``: the composer's number words); 0 when the question names no count."""
    for word in re.findall(r"\w+", text.lower()):
        if word in numbers:
            return numbers[word]
    return 0


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    out = []
    for c in candidates:
        if c.unit.unit_id not in seen:
            seen.add(c.unit.unit_id)
            out.append(c)
    return out


def _label(text: str) -> str:
    """The label of a labelled line ("Målgruppe" of "Målgruppe: Foreldre …"), lower case; "" if none."""
    m = _FIELD.match(text)
    return m.group(1).strip(" -•–*").lower() if m else ""


def _repeats(a: frozenset[str], b: frozenset[str]) -> bool:
    """Nearly the same sentence: the plans repeat an offer in two entries with a word or two
    changed ("Både helsestasjon og skolehelsetjeneste /familieveileder og barnevern tilbyr
    barnesamtaler …" and "Både helsestasjon, familieveileder, psykisk helse og barnevern tilbyr
    barnesamtaler …": 0.7 of their words shared)."""
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_REPEAT
