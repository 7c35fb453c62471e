"""The grounded extractive composer: verbatim, cited sentences — or a plain refusal.

From the retrieved chunks it scores every sentence or table row against the
question (its stored embedding, lexical coverage of the question's key terms,
the chunk's rank, and the question's intent), keeps the best few verbatim,
frames them in the asker's written standard and cites each one. When the
evidence does not cover the question's key terms, or lacks a detail it asks
for (a phone number, a price, opening hours), it says the plans don't say.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from assistant.models import Answer, Citation
from assistant.query import DETAIL_PATTERNS, MUNICIPALITIES, Question
from assistant.retrieval import Hit
from assistant.text import stem, tokens, words
from ingest.models import Unit
from ingest.store import IndexData

REFUSAL = {
    "nn": "Eg finn ikkje svar på dette i planane.",
    "nb": "Jeg finner ikke svar på dette i planene.",
    "en": "I can't find an answer to this in the plans.",
}
POINTER = {
    "nn": "Planane nemner {service} – ta kontakt med {service} direkte for dette.",
    "nb": "Planene nevner {service} – ta kontakt med {service} direkte for dette.",
    "en": "The plans mention {service} – please contact {service} directly about this.",
}
FRAME = {
    "nn": "Ifølgje «{title}» ({municipality} kommune):",
    "nb": "Ifølge «{title}» ({municipality} kommune):",
    "en": "According to «{title}» ({municipality} municipality), quoted in Norwegian:",
}
LEAD = {"nn": "Kort svar:", "nb": "Kort svar:", "en": "Short answer:"}
INJECTION_NOTE = {
    "nn": "Eg svarar berre ut frå planane og følgjer ikkje instruksar i spørsmålet.",
    "nb": "Jeg svarer bare ut fra planene og følger ikke instruksjoner i spørsmålet.",
    "en": "I only answer from the plans and do not follow instructions inside questions.",
}
SERVICES = [
    "helsestasjon for ungdom", "helsestasjonen", "helsestasjon", "skulehelsetenesta", "skolehelsetjenesten",
    "barnevernstenesta", "barnevernstjenesten", "barnevernet", "barnevern", "ppt", "bup", "fastlegen", "fastlege", "nav",
    "kommunepsykologen", "kommunepsykolog", "familievernkontoret", "tildelingskontoret", "jordmor", "jordmortjenesten",
    "helsesjukepleiar", "helsesykepleier", "innsatsteamet", "innsatsteam", "koordinerande eining", "koordinerende enhet",
    "frisklivssentralen", "psykisk helseteneste", "psykisk helse", "ressursteam", "bti-teamet", "familieveileder",
]
# Verbs that frame a question rather than name its topic ("kva betyr …", "kven gjer …").
QUESTION_VERBS = {stem(w) for w in (
    "gjeld", "gjelder", "betyr", "bety", "tyder", "gjer", "gjør", "gjere", "gjøre", "handlar", "handler", "inneber",
    "innebærer", "viser", "finst", "finnes", "fins", "seier", "sier", "ligg", "ligger", "går", "gå", "fungerer",
    "skjer", "happens", "mean", "means", "does", "do", "first", "først", "fyrst", "nevner", "nemner",
    "dato", "date", "alder", "age", "lenge", "long", "ofte", "often", "del", "andel", "stor", "mange", "many", "tak",
    "kva", "år", "year", "when", "finn", "finne", "find",
)}
_CHANNEL = re.compile(r"https?://|jobbmobil|helsenorge|portal|skjema|ringe|telefon|kontakt|henvis|tilvis|søk", re.IGNORECASE)
_DATE_IN_TEXT = re.compile(r"\b(19|20)\d\d\b|\b\d{1,2}\.\d{1,2}\.\d{4}\b|\b(hausten|våren|høsten|vår|haust|høst)\s+20\d\d", re.IGNORECASE)
_LEVEL_IN_TEXT = re.compile(r"\b(nivå|trinn)\s+(\d)\b", re.IGNORECASE)
_RESPONSIBLE = re.compile(r"\b(Ansvarlig|Ansvar):\s*([^.]+)")


@dataclass
class ComposerTuning:
    """Weights and thresholds, tuned on the evaluation set (see README)."""

    lexical_weight: float = 0.2
    rank_weight: float = 0.04
    intent_bonus: float = 0.04
    keep_margin: float = 0.1
    max_units: int = 3
    min_coverage: float = 0.5  # with min_dense: clear lexical support …
    min_dense: float = 0.80
    low_coverage: float = 0.25  # … or weaker lexical support with a strong dense match
    strong_dense: float = 0.87
    length_penalty: float = 0.001
    context_credit: float = 0.85
    level_bonus: float = 0.06
    multi_margin: float = 0.05
    chunks_considered: int = 6


@dataclass
class _Candidate:
    unit: Unit
    hit: Hit
    rank: int
    dense: float
    coverage: float
    score: float


class Composer:
    """Builds an :class:`Answer` from hits, using unit vectors stored at ingest."""

    def __init__(self, index: IndexData, idf: dict[str, float], tuning: ComposerTuning | None = None) -> None:
        """``idf`` comes from the BM25 index over the same chunks (:meth:`BM25Index.idf`), computed once."""
        self.index = index
        self.tuning = tuning or ComposerTuning()
        self._unit_tokens: dict[str, str] = {}
        self._section_tokens: dict[str, str] = {}
        self._idf = idf
        self._unknown_idf = float(np.log(1 + max(1, len(index.chunks))))

    def _unit_text(self, unit: Unit) -> str:
        """Folded tokens of a unit, computed on first use (a 100x corpus has 130k units)."""
        cached = self._unit_tokens.get(unit.unit_id)
        if cached is None:
            cached = self._unit_tokens[unit.unit_id] = " ".join(tokens(unit.text))
        return cached

    def _section_text(self, chunk_id: str, section: str) -> str:
        """Tokens of where a chunk sits (plan title and section path): context for every unit in it."""
        cached = self._section_tokens.get(chunk_id)
        if cached is None:
            chunk = self.index.chunks[self.index.chunk_index[chunk_id]] if chunk_id in self.index.chunk_index else None
            title = chunk.title if chunk else ""
            cached = self._section_tokens[chunk_id] = " ".join(tokens(f"{title} {section}"))
        return cached

    # --- scoring ---------------------------------------------------------

    def key_terms(self, question: Question) -> list[str]:
        """Question terms that must be covered: content stems minus municipality names."""
        municipal = {stem(w) for v in MUNICIPALITIES.values() for name in v for w in words(name)}
        return [t for t in dict.fromkeys(tokens(question.search_text)) if t not in municipal and t not in QUESTION_VERBS]

    def _coverage(self, terms: list[str], text: str) -> float:
        if not terms:
            return 0.0
        padded = f" {text} "
        weight = {t: self._idf.get(t, self._unknown_idf) for t in terms}
        total = sum(weight.values())
        found = sum(w for t, w in weight.items() if f" {t} " in padded or (len(t) >= 4 and t in padded))
        return found / total

    def candidates(self, question: Question, hits: list[Hit], query_vector: np.ndarray) -> list[_Candidate]:
        tuning = self.tuning
        terms = self.key_terms(question)
        levels = levels_in(question.text) or levels_in(question.search_text)
        out = []
        for rank, hit in enumerate(hits[: tuning.chunks_considered]):
            section = self._section_text(hit.chunk.chunk_id, hit.chunk.section)
            section_levels = levels_in(hit.chunk.section.split(" › ")[-1])
            previous: list[str] = []
            for unit in hit.chunk.units:
                own = self._unit_text(unit)
                dense = float(self.index.unit_vectors[self.index.unit_index[unit.unit_id]] @ query_vector)
                context = " ".join(previous[-2:])
                coverage = max(self._coverage(terms, f"{own} {section}"), tuning.context_credit * self._coverage(terms, f"{context} {own} {section}"))
                previous.append(own)
                score = dense + tuning.lexical_weight * coverage + tuning.rank_weight / (1 + rank)
                score += tuning.intent_bonus * _intent_match(question, unit)
                if len(levels) == 1:
                    unit_levels = levels_in(unit.text)
                    if levels & section_levels and not unit_levels - levels:
                        score += tuning.level_bonus
                    if unit_levels - levels:
                        score -= tuning.level_bonus
                n_words = len(unit.text.split())
                if n_words < 4:
                    score -= 0.05
                score -= tuning.length_penalty * max(0, n_words - 30)
                out.append(_Candidate(unit, hit, rank, dense, coverage, score))
        out.sort(key=lambda c: -c.score)
        return out

    # --- composing --------------------------------------------------------

    def compose(self, question: Question, hits: list[Hit], query_vector: np.ndarray, timings: dict[str, float] | None = None) -> Answer:
        timings = timings if timings is not None else {}
        t0 = time.perf_counter()
        lang = question.language if question.language in REFUSAL else "nb"
        candidates = self.candidates(question, hits, query_vector)
        if not candidates:
            return self.refusal(question, lang)
        groups = self._groups(question, candidates)
        if not groups:
            return self.refusal(question, lang)
        missing = self._missing_details(question, [c for g in groups for c in g], best=candidates[0])
        if missing:
            return self.refusal(question, lang)
        t1 = time.perf_counter()
        timings["select"] = (t1 - t0) * 1000
        citations: list[Citation] = []
        parts: list[str] = []
        for group in groups:
            parts.append(self._render(group, question, lang, citations, labelled=len(groups) > 1))
        text = "\n\n".join(parts)
        if question.injection:
            text = f"{INJECTION_NOTE[lang]}\n\n{text}"
        municipality = groups[0][0].hit.chunk.municipality if len(groups) == 1 else None
        timings["format"] = (time.perf_counter() - t1) * 1000
        return Answer(text=text, abstained=False, language=question.language, citations=citations, municipality=municipality)

    def _groups(self, question: Question, candidates: list[_Candidate]) -> list[list[_Candidate]]:
        """One group of selected units per municipality answered (usually one)."""
        tuning = self.tuning
        best = candidates[0]
        if not self._confident(question, best, candidates):
            return []
        if question.municipality is None:
            by_municipality: dict[str, _Candidate] = {}
            for c in candidates:
                by_municipality.setdefault(c.hit.chunk.municipality, c)
            others = [
                c for m, c in by_municipality.items()
                if m != best.hit.chunk.municipality and c.score >= best.score - tuning.multi_margin and self._confident(question, c, candidates)
            ]
            if others:
                return [self._select(question, c, candidates, limit=2) for c in [best, *others[:2]]]
        return [self._select(question, best, candidates, limit=tuning.max_units)]

    def _confident(self, question: Question, best: _Candidate, candidates: list[_Candidate]) -> bool:
        terms = self.key_terms(question)
        if not terms:
            return False
        same_chunk = [c for c in candidates if c.hit.chunk.chunk_id == best.hit.chunk.chunk_id][:3]
        joined = " ".join(self._unit_text(c.unit) for c in same_chunk)
        coverage = max(best.coverage, self._coverage(terms, f"{joined} {self._section_text(best.hit.chunk.chunk_id, best.hit.chunk.section)}"))
        t = self.tuning
        return (coverage >= t.min_coverage and best.dense >= t.min_dense) or (coverage >= t.low_coverage and best.dense >= t.strong_dense)

    def _select(self, question: Question, best: _Candidate, candidates: list[_Candidate], limit: int) -> list[_Candidate]:
        chosen = [best]
        municipality = best.hit.chunk.municipality
        for c in candidates:
            if len(chosen) >= limit:
                break
            if c.hit.chunk.municipality != municipality or c in chosen:
                continue
            if c.score < best.score - self.tuning.keep_margin:
                break
            if any(_similar(c.unit.text, k.unit.text) for k in chosen):
                continue
            chosen.append(c)
        chosen = self._with_list_items(chosen, limit + 2)
        chosen = _same_level_as(best, chosen) if "level" in question.intents else chosen
        return sorted(chosen, key=lambda c: (c.unit.doc_id, c.unit.start))

    def _with_list_items(self, chosen: list[_Candidate], limit: int) -> list[_Candidate]:
        """A unit ending in ':' (or without a full stop) introduces a list: bring the items that follow it."""
        out = list(chosen)
        for c in chosen:
            text = c.unit.text.rstrip()
            if not (text.endswith(":") or text[-1:] not in ".!?»)\"") or c.unit.kind == "row":
                continue
            at = self.index.unit_index[c.unit.unit_id]
            for follower in self.index.units[at + 1 : at + 4]:
                if len(out) >= limit or follower.doc_id != c.unit.doc_id:
                    break
                if all(o.unit.unit_id != follower.unit_id for o in out):
                    chunk = self.index.chunks[self.index.chunk_index[follower.chunk_id]]
                    hit = c.hit if chunk.chunk_id == c.hit.chunk.chunk_id else Hit(chunk, c.hit.score, None, None, c.hit.dense_score)
                    out.append(_Candidate(follower, hit, c.rank, c.dense, c.coverage, c.score))
        return out

    def _missing_details(self, question: Question, chosen: list[_Candidate], best: _Candidate) -> bool:
        """A requested detail (phone, price, hours, e-mail, a count …) must be in the evidence itself."""
        for kind in question.details:
            _, evidence = DETAIL_PATTERNS[kind]
            pool = [best] if kind == "count" else chosen
            if not any(evidence.search(c.unit.text) for c in pool):
                return True
        if question.years and not any(year in c.unit.text or year in c.hit.chunk.section for c in chosen for year in question.years):
            return True  # "… i 2024?" answered from a passage about another year is no answer
        return False

    def _render(self, group: list[_Candidate], question: Question, lang: str, citations: list[Citation], labelled: bool) -> str:
        first = group[0].hit.chunk
        frame = FRAME[lang].format(title=first.title, municipality=first.municipality)
        sentences: list[str] = []
        quotes: list[tuple[float, str, int]] = []
        for span in _spans(group):
            n = len(citations) + 1
            doc_text = self.index.doc_texts[span[0].unit.doc_id]
            start, end = span[0].unit.start, span[-1].unit.end
            quote = doc_text[start:end]
            chunk = span[0].hit.chunk
            citations.append(Citation(n, chunk.doc_id, chunk.title, chunk.municipality, chunk.section, quote, start, end))
            sentences.append(f"{quote} [{n}]")
            quotes.append((max(c.score for c in span), quote, n))
        lead = next((found for _, quote, n in sorted(quotes, key=lambda q: -q[0]) if (found := _lead(question, quote, n, lang))), "")
        body = " ".join(sentences)
        text = f"{frame} {body}"
        if lead:
            text = f"{lead}\n{text}"
        if labelled:
            text = f"**{first.municipality}:** {text}"
        return text

    def refusal(self, question: Question, lang: str | None = None) -> Answer:
        lang = lang or (question.language if question.language in REFUSAL else "nb")
        text = REFUSAL[lang]
        service = _named_service(question.text)
        if service:
            text = f"{text} {POINTER[lang].format(service=service)}"
        if question.injection:
            text = f"{INJECTION_NOTE[lang]} {text}"
        return Answer(text=text, abstained=True, language=question.language, citations=[])


def _same_level_as(best: _Candidate, chosen: list[_Candidate]) -> list[_Candidate]:
    """When the best unit names one level, drop companions that only talk about other levels."""
    wanted = levels_in(best.unit.text)
    if len(wanted) != 1:
        return chosen
    return [c for c in chosen if c is best or not levels_in(c.unit.text) or wanted & levels_in(c.unit.text)]


def _spans(group: list[_Candidate]) -> list[list[_Candidate]]:
    """Adjacent units of one chunk become one citation (one contiguous quote)."""
    spans: list[list[_Candidate]] = []
    for c in group:
        if spans:
            prev = spans[-1][-1]
            units = c.hit.chunk.units
            same_chunk = prev.hit.chunk.chunk_id == c.hit.chunk.chunk_id
            if same_chunk and c.unit in units and prev.unit in units and units.index(c.unit) == units.index(prev.unit) + 1:
                spans[-1].append(c)
                continue
        spans.append([c])
    return spans


_NUMBER = re.compile(r"(?<![\w.,])\d[\d  ]*(?:[.,]\d+)?(?:\s?%|\s?prosent)?(?![\w.,]*\d)")
_DATE = re.compile(
    r"\b\d{1,2}\.\d{1,2}\.\d{4}\b|\b\d{1,2}\.\s?(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)\s\d{4}\b"
    r"|\b(?:hausten|våren|høsten|haust|vår)\s20\d\d\b",
    re.IGNORECASE,
)
_CHANNELS = re.compile(r"jobbmobil|Helsenorge|nasjonal portal|eget skjema|henvisningsskjema|ringe direkte|direkte kontakt|https?://\S+", re.IGNORECASE)


def _lead(question: Question, quote: str, n: int, lang: str) -> str:
    """A short, verbatim lead ("Kort svar: Nivå 2 [1]") when the question asks for one thing."""
    found = ""
    if "level" in question.intents and not levels_in(question.text):  # "which level?", not "what is level 3?"
        match = _LEVEL_IN_TEXT.search(quote)
        found = f"{match.group(1).capitalize()} {match.group(2)}" if match else ""
    if not found and "who" in question.intents:
        match = _RESPONSIBLE.search(quote)
        found = match.group(2).strip() if match else ""
    if not found and "date" in question.intents:
        dates = list(dict.fromkeys(m.group(0) for m in _DATE.finditer(quote)))
        found = dates[0] if len(dates) == 1 else ""
    if not found and "number" in question.intents | question.details:
        numbers = [m.group(0).strip() for m in _NUMBER.finditer(quote) if m.group(0).strip() not in question.text]
        found = numbers[0] if len(set(numbers)) == 1 else ""
    if not found and "contact" in question.intents:
        channels = list(dict.fromkeys(m.group(0).rstrip(".,") for m in _CHANNELS.finditer(quote)))
        found = ", ".join(channels[:3])
    return f"{LEAD[lang]} {found} [{n}]" if found else ""


_LEVEL_LIST = re.compile(r"\b(?:nivå|trinn|level)\s+(\d(?:\s*(?:,|og|-|eller|and|or)\s*(?:nivå\s+)?\d)*)", re.IGNORECASE)


def levels_in(text: str) -> set[str]:
    """Level numbers a text names, including lists like "nivå 2 og 3" or "nivå 1- 2 og 3"."""
    return {d for m in _LEVEL_LIST.finditer(text) for d in re.findall(r"\d", m.group(1))}


def _intent_match(question: Question, unit: Unit) -> float:
    text = unit.text
    bonus = 0.0
    if "level" in question.intents and _LEVEL_IN_TEXT.search(text):
        bonus += 1.0
    if "who" in question.intents and _RESPONSIBLE.search(text):
        bonus += 1.0
    if "target" in question.intents and re.search(r"målgrupp|\bgjeld(er)? for\b|\bfor (barn|foreldre|føresette|foresatte|ungdom|familiar|familier|gravide)", text, re.IGNORECASE):
        bonus += 1.0
    if "frequency" in question.intents and re.search(r"\b(gang|gonger|ganger|kvart|hvert|per|pr|månad|måned|månedlig|vekentleg|ukentlig|årleg|årlig|dagleg|daglig)\b", text, re.IGNORECASE):
        bonus += 1.0
    if "duration" in question.intents and re.search(r"\d|periode|alder|år\b", text, re.IGNORECASE):
        bonus += 1.0
    if "contact" in question.intents and _CHANNEL.search(text):
        bonus += 1.0
    if "number" in question.intents and re.search(r"\d", text):
        bonus += 0.5
    if "date" in question.intents and _DATE_IN_TEXT.search(text):
        bonus += 0.5
    return bonus


def _similar(a: str, b: str) -> bool:
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return a.strip() == b.strip()
    return len(ta & tb) / len(ta | tb) > 0.8


def _named_service(text: str) -> str:
    lowered = text.lower()
    for service in SERVICES:
        if re.search(rf"\b{re.escape(service)}", lowered):
            return service.upper() if service in ("ppt", "bup", "nav") else service
    return ""

