"""Words, lemmas and stems: Nynorsk, Bokmål and English questions meet the plans' words.

Every word goes the same way on both sides (question and plan):
surface word → lemma (simplemma, in the text's standard first) → the shared spelling from the
lexicon's ``standards`` table → Snowball Norwegian stem. So "tenestene" (nn) and "tjenestene"
(nb) both become "tjenest". BM25 uses these stems (Snowball measured better than lemmas alone
as a BM25 tokeniser); the composer's term coverage also uses compound parts
(:mod:`assistant.compounds`). "nivå 2" and "trinn 2" also yield a joint token so level numbers
count.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.compounds import LINKS, dictionary_known
from assistant.lexicon import lexicon

_WORD = re.compile(r"[0-9a-zæøåéèüöäA-ZÆØÅÉÈÜÖÄ]+(?:-[0-9a-zæøåéèüöäA-ZÆØÅÉÈÜÖÄ]+)*", re.UNICODE)
_LEVEL = re.compile(r"\b(nivå|trinn|level|steg|step)\s*(\d)\b", re.IGNORECASE)
_LEMMA_ORDER = {"nn": ("nn", "nb"), "nb": ("nb", "nn"), "en": ("nb", "nn")}


def words(text: str) -> list[str]:
    """Lower-case words; a hyphenated word ("BTI-teamet") is one word here."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str = "nb") -> str:
    """Dictionary form of a lower-case word, trying the text's own standard first."""
    import simplemma

    for code in _LEMMA_ORDER.get(lang, ("nb", "nn")):
        if simplemma.is_known(word, lang=code):
            return simplemma.lemmatize(word, lang=code).lower()
    return simplemma.lemmatize(word, lang=_LEMMA_ORDER.get(lang, ("nb",))[0]).lower()


@lru_cache(maxsize=50_000)
def english_lemma(word: str) -> str:
    """Dictionary form of an English word ("reports" → "report", "worries" → "worry"): the
    lexicon's English keys are singular, and an English question is lemmatised as Norwegian
    elsewhere (it often holds the plans' own words)."""
    import simplemma

    return simplemma.lemmatize(word, lang="en").lower()


@lru_cache(maxsize=200_000)
def normal(word: str, lang: str = "nb") -> str:
    """The shared form of a word: the lexicon's spelling for its lemma (or for the word itself)."""
    lex = lexicon()
    if word in lex.standards:
        return lex.standards[word]
    if word in lex.shared_forms:
        return word  # "veileder" is already the shared form: lemmatising would make it the verb "veilede"
    base = lemma(word, lang)
    if base in lex.standards:
        return lex.canonical(base)
    if lang == "nn":
        # the lemma dictionary misses some Nynorsk plurals ("heimar" → "heima"): its stem may be a lemma the lexicon knows
        base = lex.standards.get(stem(base), base)
    return shared_compound(base)


COMPOUND_KEY = 4  # shortest standards word taken as a compound part: "heim", "skule"; not "bu", "låg"
COMPOUND_REST = 3  # shortest rest of the compound


@lru_cache(maxsize=200_000)
def shared_compound(word: str) -> str:
    """A compound with a part the standards table knows, in the shared spelling of that part:
    Nynorsk "skulemiljø" → "skolemiljø", "helseteneste" → "helsetjeneste", "tenestetilbod" →
    "tjenestetilbud". The table holds words, and Norwegian writes compounds as one word, so
    without this a Nynorsk plan's compounds never meet a Bokmål question's. A part counts only
    when the rest of the word is a dictionary word of three letters or more (with a linking
    -s-/-e- dropped), so "heimla" and "skulder" stay as they are. Unchanged otherwise."""
    lex = lexicon()
    if word in lex.standards:
        return lex.standards[word]
    if word in lex.shared_forms or not word.isalpha():
        return word
    starting, ending = _compound_parts()
    for key, shared in starting.get(word[:COMPOUND_KEY], ()):
        if word.startswith(key) and len(word) >= len(key) + COMPOUND_REST:
            rest = word[len(key):]
            for link in LINKS:
                if rest.startswith(link) and len(rest) - len(link) >= COMPOUND_REST and _known(rest[len(link):]):
                    return shared + link + shared_compound(rest[len(link):])
    for key, shared in ending.get(word[-COMPOUND_KEY:], ()):
        if word.endswith(key) and len(word) >= len(key) + COMPOUND_REST:
            head = word[: -len(key)]
            core = head[:-1] if head[-1:] in ("s", "e") and not _known(head) else head
            if len(core) >= COMPOUND_REST and _known(core):
                return shared_compound(head) + shared if core == head else shared_compound(core) + head[-1] + shared
    return word


@lru_cache(maxsize=1)
def _compound_parts() -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    """The standards words long enough to be compound parts, by their first and by their last
    letters: a national index tokenises ~500k distinct words, each looked up here once."""
    starting: dict[str, list[tuple[str, str]]] = {}
    ending: dict[str, list[tuple[str, str]]] = {}
    for key, shared in lexicon().standards.items():
        if len(key) >= COMPOUND_KEY:
            starting.setdefault(key[:COMPOUND_KEY], []).append((key, shared))
            ending.setdefault(key[-COMPOUND_KEY:], []).append((key, shared))
    return starting, ending


@lru_cache(maxsize=200_000)
def _known(word: str) -> bool:
    return dictionary_known(word)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def derived(key: str) -> str | None:
    """The verb stem of a verbal noun: "mobbing" → "mobb", "kartlegging" → "kartlegg", so the
    noun a plan uses and the verb a reader uses ("blir mobba") meet. None for other words."""
    if key.endswith("ing") and len(key) >= 7:
        return key[:-3]
    return None


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("norwegian")


def stopwords(lang: str = "nb") -> frozenset[str]:
    return lexicon().stop(lang)


def is_content(word: str, lang: str = "nb") -> bool:
    return word not in lexicon().stop(lang) and (len(word) > 1 or word.isdigit())


@lru_cache(maxsize=200_000)
def _word_tokens(word: str, lang: str) -> tuple[str, ...]:
    parts = [word] + ([p for p in word.split("-") if p] if "-" in word else [])
    keys = [stem(normal(p, lang)) for p in parts if is_content(p, lang) and is_content(normal(p, lang), lang)]
    return tuple(k for key in keys for k in (key, derived(key)) if k)


_TOKEN_MEMO: dict[str, dict[str, tuple[str, ...]]] = {}  # per standard: word → tokens (a memo, like lru_cache)
_MEMO_LIMIT = 500_000


def tokens(text: str, lang: str = "nb") -> list[str]:
    """Content tokens for BM25 and overlap: shared form, stopwords out, stemmed, plus level tokens.

    A hyphenated word ("COS-kurset", "BTI-teamet") yields the whole and its parts. Every distinct
    word is worked out once (a national index tokenises ~12M words at load, mostly repeats).
    """
    memo = _TOKEN_MEMO.setdefault(lang, {})
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    out: list[str] = []
    for w in _WORD.findall(text.lower()):
        found = memo.get(w)
        if found is None:
            found = memo[w] = _word_tokens(w, lang)
        out.extend(found)
    out.extend(f"nivå_{m.group(2)}" for m in _LEVEL.finditer(text))
    return out
