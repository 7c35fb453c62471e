"""Reading a question: language, municipality, intents, parts and the terms to look for.

No LLM and no plan strings: the language module, the lexicon, the intents file and the
municipality list do the work. A question with two parts ("how often, and who?") or a
difference ("selective and indicated") becomes several :class:`Part`s, each answered and
cited. Conversation context is added by :mod:`assistant.conversation`, not here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.compounds import CompoundSplitter
from assistant.intents import Intents, intents
from assistant.lexicon import lexicon
from assistant.municipalities import Municipalities
from assistant.text import derived, english_lemma, is_content, lemma, normal, stem, words
from ingest.language import detect_language

_INJECTION = re.compile(
    r"(ignor\w*\b.{0,40}\b(instruks\w*|instruction\w*|regl\w*|rule\w*|tidlegare|tidligere|previous|above|alle|all)"
    r"|(glem|gløym|forget|disregard)\w*\b.{0,30}\b(instruks\w*|instruction\w*|regl\w*|rule\w*|alt|everything)"
    r"|system\s*-?\s*prompt\w*|you are now|du er no\b|du er nå\b|pretend|lat som|act as|jailbreak|developer mode)",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(kva|hva|kven|hvem|korleis|hvordan|kvifor|hvorfor|kor|hvor|kvar|når|kva tid|what|who|how|why|where|when|"
    r"which|er|is|are|kan|can|har|has|have|finst|finnes|fins|gjeld|gjelder|does|do|skal|should|må|must|bør)\b",
    re.IGNORECASE,
)
_SPLIT_BEFORE = re.compile(
    r",?\s+(?:og|and|samt|eller|or|men|but)\s+(?=(kva|hva|kven|hvem|korleis|hvordan|kor|hvor|kvar|når|what|who|how|where|"
    r"when|which|kva for|hvilke|hvilken|hvilket|kor ofte|hvor ofte|kor lenge|hvor lenge)\b)|[,;]\s+(?=(kva|hva|kven|hvem|korleis|hvordan|"
    r"når|what|who|how|where|when|which|hvilke|hvilken|hvilket)\b)",
    re.IGNORECASE,
)
# a preposition left at the end after a pronoun: "Kven er det for?", "Hva går den ut på?"
STRANDED_PREPOSITION = r"(\s+(for|om|til|med|på|av|frå|fra|i|about|with|to|of|on))?"
_PRONOUN_SUBJECT = re.compile(r"\b(dei|de|they|them|it|han|ho|hun|he|she)\b", re.IGNORECASE)  # someone the question spoke of before
_DIFFERENCE_NOUN = r"forskjell\w*|skilnad\w*|difference\w*|differ\w*"  # "forskjellen på …", "the difference between …"
_DIFFERENCE = re.compile(
    rf"\b(?:{_DIFFERENCE_NOUN}|skil(?:jer|ler)?\s+seg)\b.*?\b(?:på|mellom|between|of)\s+"
    r"(?P<a>[\w\- ]+?)\s+(?:og|and|versus|vs\.?)\s+(?P<b>[\w\- ]+?)\s*(?:[?.!,]|$|\b(?:i|in|hos)\s)",
    re.IGNORECASE,
)
_PRONOUN_SIDE = re.compile(r"(dei|dem|de|them|they|it|det|den|dette|desse|disse|these|those)", re.IGNORECASE)  # speaks of an earlier part
_DIFFERENCE_FROM = re.compile(  # "Hva skiller X fra Y?", "Korleis skil X seg frå Y?", "What distinguishes X from Y?"
    r"\b(?:skil|skiljer|skiller|distinguishes|separates)\s+(?P<a>[\w\- ]+?)\s+(?:seg\s+)?(?:frå|fra|from)\s+"
    r"(?P<b>[\w\- ]+?)\s*(?:[?.!,]|$|\b(?:i|in|hos)\s)",
    re.IGNORECASE,
)
_DIFFERENCE_LIST = re.compile(  # three or more: "Kva er skilnaden på nivå 1, 2 og 3?", "Kva skil nivå 1, nivå 2 og nivå 3?"
    rf"(?:\b(?:{_DIFFERENCE_NOUN})\b.*?\b(?:på|mellom|between|of)|\b(?:kva|hva|what)\s+(?:skil|skiller|skiljer|distinguishes))\s+"
    r"(?P<items>[\w\- ]+?(?:\s*,\s*[\w\- ]+?)+,?\s+(?:og|and)\s+[\w\- ]+?)\s*(?:[?.!]|$|\b(?:i|in|hos)\s)",
    re.IGNORECASE,
)
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:(?:og|and)\s+)?|\s+(?:og|and)\s+", re.IGNORECASE)
_DEFINE_TWO = re.compile(
    r"^\s*(?:kva|hva|what)\s+(?:er|betyr|is|are|does|means?)\s+(?P<a>[\w\-]+(?:\s[\w\-]+)?)\s+(?:og|and)\s+(?P<b>[\w\-]+(?:\s[\w\-]+)?)\s*\??\s*$",
    re.IGNORECASE,
)
_LEVEL = re.compile(r"\b(nivå|trinn|level|steg|step)\s*(\d)\b", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-ZÆØÅ]{2,}[a-zæøå]?$")


@dataclass(frozen=True)
class Term:
    """One thing the question asks about, with every form that counts as it in the evidence.

    ``alternatives`` are tuples of stems that must all appear (a word; its compound parts; a
    reader's word expanded to the plans' word). ``anchor`` marks a name or acronym: when the
    plans never mention it, they cannot be answering the question.
    """

    text: str
    alternatives: tuple[tuple[str, ...], ...]
    anchor: bool = False
    plan_words: tuple[str, ...] = ()  # the lexicon's plan words for a reader's word (for the dense query)

    @property
    def key(self) -> str:
        return self.alternatives[0][0]


@dataclass
class Part:
    """A sub-question that needs its own answer."""

    text: str
    search_text: str
    terms: list[Term]
    intents: set[str]
    focus: str = ""  # the asking sentence(s) alone, when the question also tells a story ("Eg er sliten. Finst det kurs?")

    @property
    def dense_text(self) -> str:
        """What to embed: the words asked, then the plans' words for the reader's words, so an
        English or everyday question lands nearer the plans' own sentences."""
        return _with_plan_words(self.search_text, self.terms)

    @property
    def focus_text(self) -> str:
        """The asking sentence with the plans' words for its own words ("" without a story)."""
        return _with_plan_words(self.focus, self._asked_terms()) if self.focus else ""

    @property
    def focus_terms(self) -> list[Term]:
        """The terms of the asking sentence (all terms when the question tells no story)."""
        return (self._asked_terms() or self.terms) if self.focus else self.terms

    def _asked_terms(self) -> list[Term]:
        return [t for t in self.terms if t.text.lower() in self.focus.lower()]


def plan_words_for(word: str, base: str, lang: str) -> tuple[str, ...]:
    """The lexicon's plan words for a reader's word: by its lemma, as written, and for an English
    question by its English lemma ("reports" → "report" → bekymringsmelding, melde)."""
    lex = lexicon()
    english = lex.expand(english_lemma(word)) if lang == "en" else ()
    return tuple(dict.fromkeys((*lex.expand(base), *lex.expand(word), *english)))


def _with_plan_words(text: str, terms: list[Term]) -> str:
    """``text`` and then the plans' words for its terms that it does not already hold."""
    extra = [w for t in terms for w in t.plan_words if w not in text.lower()]
    return f"{text} {' '.join(dict.fromkeys(extra))}".strip()


@dataclass
class Question:
    """A question after reading: what to search for and how to answer."""

    text: str
    language: str
    municipality: str | None
    municipality_source: str  # "caller" | "question" | "history" | "none"
    search_text: str = ""
    selected: str | None = None
    named: list[str] = field(default_factory=list)
    others_named: list[str] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    details: set[str] = field(default_factory=set)
    terms: list[Term] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    injection: bool = False
    follow_up: bool = False
    years: set[str] = field(default_factory=set)

    def whole(self) -> Part:
        """The whole question as one part (what looks at the question, not at its parts)."""
        return Part(self.text, self.search_text, self.terms, self.intents)

    def parts_or_whole(self) -> list[Part]:
        """The parts to answer: those a multi-part question was split into, else the whole."""
        return self.parts or [self.whole()]


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_injection(text: str) -> tuple[str, bool]:
    """Remove sentences that try to change the instructions; report whether any did."""
    parts = re.split(r"(?<=[.!?:;])\s+|\n+", text)
    kept = [p for p in parts if not _INJECTION.search(p)]
    return " ".join(kept).strip(), len(kept) != len(parts)


def normalise_municipality(value: str | None) -> str | None:
    """A selector value ('Alle', '', None) → None; anything else as given (the Assistant resolves it)."""
    if not isinstance(value, str) or not value.strip() or value.strip().lower() in ("alle", "all", "none", "*"):
        return None
    return value.strip()


class QuestionReader:
    """Reads questions against one index: its municipalities and its vocabulary."""

    def __init__(self, municipalities: Municipalities, splitter: CompoundSplitter, intent_data: Intents | None = None,
                 related: Callable[..., tuple[str, ...]] | None = None) -> None:
        self.municipalities = municipalities
        self.splitter = splitter
        self.intents = intent_data or intents()
        self.related = related or (lambda *lemmas: ())  # plan words for a word the lexicon does not know (a thesaurus)

    # --- language --------------------------------------------------------------

    def language(self, text: str, hint: str | None = None) -> str:
        """The question's written standard; the hint (e.g. the UI language) breaks ties."""
        stripped = self.municipalities.strip(text)
        found = detect_language(stripped, hint=hint)
        return found

    # --- terms -------------------------------------------------------------------

    def terms(self, text: str, lang: str) -> list[Term]:
        """The question's topic terms: content words minus framing and municipality names."""
        lex = lexicon()
        text = self._without_idioms(self.municipalities.strip(text))
        raw = list(re.finditer(r"[\w][\w\-']*", text))
        lowered = [m.group(0).lower() for m in raw]
        found: dict[str, Term] = {}
        numbers = self.intents.numbers
        for k, (m, word) in enumerate(zip(raw, lowered)):
            if self._framing(word, lang) or any(ch.isdigit() for ch in word) or word in numbers:
                continue
            before = lowered[k - 1] if k else ""
            if (before.isdigit() and len(before) <= 2 or before in numbers) and word in self.intents.after_number:
                continue  # "ho er 4 mnd", "for tre veker sidan": an age or a time ago, not the topic (but «1000 dagar» names a period)
            pieces = [word] + ([p for p in word.split("-") if p] if "-" in word else [])
            for piece in pieces:
                if not is_content(piece, lang) or self._framing(piece, lang):
                    continue
                base = lemma(piece, lang)
                if self._framing(base, lang) or not is_content(base, lang):
                    continue
                alternatives = self._alternatives(piece, base, lang)
                original = m.group(0) if piece == word else next(p for p in m.group(0).split("-") if p.lower() == piece)
                words_for = plan_words_for(piece, base, lang) or self.related(base, lex.canonical(base), lemma(base, "nb"))
                # a word the plans never use alone counts where it is part of their compounds ("søvn" in "søvnveiledning")
                alternatives += tuple((stem(normal(h, "nb")),) for h in self.splitter.compounds_with(base))
                term = Term(original, alternatives, anchor=bool(_ACRONYM.match(original)), plan_words=words_for)
                found.setdefault(term.key, term)
        for level in _LEVEL.finditer(text):
            found[f"nivå_{level.group(2)}"] = Term(level.group(0), ((f"nivå_{level.group(2)}",),))
        for phrase, _ in _phrases(lowered, lex.longest_phrase):
            expansions = lex.expand(phrase)
            if expansions:
                alts = tuple(tuple(stem(normal(w, "nb")) for w in e.split()) for e in expansions)
                found[f"phrase:{phrase}"] = Term(phrase, alts, plan_words=expansions)
        return list(found.values())

    def _framing(self, word: str, lang: str) -> bool:
        """Framing or context, not topic; so is a compound ending in a person word ("veslejenta").
        A word the lexicon gives plan words for is a topic even when it ends like an age
        ("tenåringar": the plans' "ungdom")."""
        if self.intents.is_listed(word):
            return True
        if lexicon().expand(lemma(word, lang)):
            return False
        if self.intents.is_age(word):
            return True
        parts = self.splitter.split(word)  # "veslejenta", but not the plans' own "samarbeidspartner"
        return bool(parts) and parts[-1] in self.intents.persons and not self.splitter.in_vocabulary(lemma(word, lang))

    def _without_idioms(self, text: str) -> str:
        """``text`` with idioms whose words are not its topic blanked out ("få tak i")."""
        idioms = self.intents.framing_phrases
        return idioms.sub(" ", text) if idioms else text

    def _alternatives(self, word: str, base: str, lang: str) -> tuple[tuple[str, ...], ...]:
        lex = lexicon()
        canon = normal(word, lang)
        alts: list[tuple[str, ...]] = [(stem(canon),)]
        base = derived(stem(canon))
        if base:
            alts.append((base,))
        for value in (*lex.expand(base), *lex.expand(canon), *plan_words_for(word, word, lang)):
            alts.append(tuple(stem(normal(w, "nb")) for w in value.split()))
        parts = self.splitter.split(canon)
        if parts:
            alts.append(tuple(stem(normal(p, lang)) for p in parts))  # "åtferds|problem" → atferd, problem
        return tuple(dict.fromkeys(alts))

    # --- parts ---------------------------------------------------------------------

    def parts(self, text: str, lang: str) -> list[Part]:
        """Sub-questions that each need an answer; context sentences go with every part."""
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
        asks = [s for s in sentences if s.endswith("?") or _QUESTION_START.search(s)]
        context = " ".join(s for s in sentences if s not in asks)
        if not asks:
            asks, context = [text], ""
        pieces: list[str] = []
        for sentence in asks:
            pieces.extend(self._split_sentence(sentence))
        if len(pieces) <= 1:
            return [self._part(text, text, lang, " ".join(asks) if context else "")]
        topic = " ".join(t.text for p in pieces for t in self.terms(p, lang))
        out = []
        for piece in pieces:
            own = self.terms(piece, lang)
            search = piece if _has_topic(own, piece) else f"{piece} {topic}"
            out.append(self._part(piece, f"{search} {context}".strip(), lang, search if context else ""))
        return out

    def _split_sentence(self, sentence: str) -> list[str]:
        many = _DIFFERENCE_LIST.search(sentence)
        if many:
            return _difference_sides(many.group("items"))
        diff = _DIFFERENCE.search(sentence) or _DIFFERENCE_FROM.search(sentence)
        if diff and not any(_PRONOUN_SIDE.fullmatch(diff.group(side).strip()) for side in ("a", "b")):
            a, b = diff.group("a").strip(), diff.group("b").strip()
            a, b = _share_head(a, b)
            return [a, b]
        two = _DEFINE_TWO.search(sentence)
        if two:
            lead = sentence[: two.start("a")]
            return [f"{lead}{two.group('a')}", f"{lead}{two.group('b')}"]
        cuts = [m.start() for m in _SPLIT_BEFORE.finditer(sentence)]
        if not cuts:
            return [sentence]
        bounds = [0, *cuts, len(sentence)]
        pieces = [sentence[a:b] for a, b in zip(bounds, bounds[1:])]
        return [re.sub(r"^[,;]?\s*(og|and|samt|eller|or|men|but)\s+", "", p.strip(), flags=re.IGNORECASE) for p in pieces if p.strip(" ,;")]

    def _part(self, text: str, search_text: str, lang: str, focus: str = "") -> Part:
        return Part(text, search_text, self.terms(search_text, lang), self.kinds(text, lang), focus)

    def kinds(self, text: str, lang: str) -> set[str]:
        """The intents of ``text`` as written and with its longer words in dictionary form, so a cue
        matches its inflections ("eksempler på" as "eksempel på") without listing each one."""
        lemmatised = re.sub(r"[^\W\d_]{4,}", lambda m: lemma(m.group(0).lower(), lang), text)
        return self.intents.of(text) | self.intents.of(lemmatised)

    # --- the whole question ------------------------------------------------------------

    def read(self, question: str, selected: str | None = None, language_hint: str | None = None) -> Question:
        """Language, municipality, intents, terms and parts of a question on its own."""
        text = fold(question).strip()
        clean, injected = strip_injection(text)
        clean = clean or text
        lang = self.language(clean, language_hint)
        named = self.municipalities.named(clean)
        chosen = self.municipalities.normalise(selected)
        municipality, source = (named[0], "question") if named else ((chosen, "caller") if chosen else (None, "none"))
        search = self.municipalities.strip(clean) if municipality else clean
        q = Question(
            text=text, language=lang, municipality=municipality, municipality_source=source, search_text=search,
            selected=chosen, named=named, others_named=self.municipalities.others_named(clean),
            intents=self.kinds(clean, lang), details=self.intents.details_asked(clean),
            injection=injected, years=years_asked(clean),
        )
        q.terms = self.terms(search, lang)
        q.parts = self.parts(search, lang)
        return q


_YEAR = re.compile(r"\b((?:19|20)\d)(\d)(?!\d)(-?(?:tal+et|tal+ets|s)\b)?", re.IGNORECASE)


def years_asked(text: str) -> set[str]:
    """The years a question is about, as text a passage must hold: "2024", or for a decade
    ("1920-tallet", "1920-talet", "1990s") the decade's first three digits, which every year of it
    starts with."""
    return {m.group(1) if m.group(3) and m.group(2) == "0" else m.group(1) + m.group(2) for m in _YEAR.finditer(text)}


def _phrases(lowered: list[str], longest: int) -> list[tuple[str, int]]:
    out = []
    for n in range(2, longest + 1):
        for i in range(len(lowered) - n + 1):
            out.append((" ".join(lowered[i : i + n]), i))
    return out



def _has_topic(terms: list[Term], text: str) -> bool:
    """A part has its own topic unless it has no content or refers to an earlier part's: it ends
    pointing back ("… er det for?", "… them?") or speaks of it by a pronoun ("kor ofte har dei møte?")."""
    back = re.search(r"\b(det|den|dei|de|dette|desse|disse|it|them|they|that|this|those|han|ho|hun|dit|der|there)"
                     rf"{STRANDED_PREPOSITION}\s*\??\s*$", text, re.IGNORECASE)
    return bool(terms) and not back and not _PRONOUN_SUBJECT.search(text)


def _difference_sides(text: str) -> list[str]:
    """'nivå 1, 2 og 3' → nivå 1, nivå 2, nivå 3; 'universell, selektiv og indikert førebygging' →
    universell førebygging, selektiv førebygging, indikert førebygging: a bare number takes the first
    item's words before its number, a one-word item the last item's head noun."""
    items = [i.strip() for i in _LIST_SEPARATOR.split(text) if i.strip()]
    lead = re.sub(r"\s*\d+$", "", items[0])
    head = items[-1].split()[-1] if len(items[-1].split()) > 1 else ""
    out = []
    for item in items:
        if item.isdigit() and lead != items[0]:
            item = f"{lead} {item}"
        elif len(item.split()) == 1 and head and not item.isdigit():
            item = f"{item} {head}"
        out.append(item)
    return out


def _share_head(a: str, b: str) -> tuple[str, str]:
    """'selektive' and 'indikerte tiltak' → 'selektive tiltak' and 'indikerte tiltak'."""
    wa, wb = a.split(), b.split()
    if len(wa) == 1 and len(wb) > 1:
        return f"{a} {wb[-1]}", b
    return a, b
