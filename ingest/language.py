"""Tell Nynorsk from Bokmål (and English) by marker words.

Both standards share most words; the markers below are frequent words that
differ. Good enough for a question of five words or a plan of thousands.
"""

from __future__ import annotations

import re

NN_MARKERS = {
    "kva", "kven", "korleis", "kvifor", "kor", "eg", "ikkje", "eit", "ein", "dei", "då", "vere", "vera",
    "ho", "me", "frå", "berre", "noko", "nokon", "heile", "teneste", "tenester", "tenesta", "føresette",
    "skule", "skulen", "helsesjukepleiar", "stafetthaldar", "korleis", "mykje", "sjå", "gjer", "gjeld",
    "vert", "hjå", "saman", "barnehagen", "kvar", "treng", "kan", "òg", "også", "kjem", "skal",
    "nivået", "samarbeider", "rettleiar", "rettleiaren", "barnevernstenesta", "tilsette", "kommunen",
    "mi", "min", "mitt", "vårt", "andre", "ulike", "mellom", "etter", "søkje", "søke", "finn", "ynskjer",
}
NB_MARKERS = {
    "hva", "hvem", "hvordan", "hvorfor", "hvor", "jeg", "ikke", "et", "en", "de", "da", "være", "hun",
    "fra", "bare", "noe", "noen", "hele", "tjeneste", "tjenester", "tjenesten", "foresatte",
    "skole", "skolen", "helsesykepleier", "stafettholder", "mye", "se", "gjør", "gjelder", "hos",
    "sammen", "hver", "trenger", "kommer", "veileder", "barnevernstjenesten", "ansatte", "søker", "finner",
    "hvilke", "hvilken", "hvilket", "hvis", "mine", "vårt", "ønsker",
}
EN_MARKERS = {
    "what", "who", "how", "when", "where", "which", "is", "are", "the", "does", "do", "can", "my",
    "child", "children", "parents", "school", "service", "level", "of", "and", "there", "should",
    "report", "contact", "group", "with", "about", "whom", "get", "help", "reach", "nurse", "municipality",
    "plans", "applies", "apply", "responsible", "services", "two", "three", "your", "you", "this", "that",
}
# Words that appear in both standards carry no signal.
_SHARED = NN_MARKERS & NB_MARKERS
NN_ONLY = NN_MARKERS - _SHARED - {"kan", "skal", "også", "andre", "mellom", "etter", "kommunen", "vårt"}
NB_ONLY = NB_MARKERS - _SHARED

_WORD = re.compile(r"[a-zæøåéèüö]+", re.IGNORECASE)


def detect_language(text: str, default: str = "nb") -> str:
    """Return ``"nn"``, ``"nb"`` or ``"en"`` for ``text``."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    if not words:
        return default
    nn = sum(w in NN_ONLY for w in words)
    nb = sum(w in NB_ONLY for w in words)
    en = sum(w in EN_MARKERS for w in words)
    if en > max(nn, nb) and en >= max(1, len(words) // 4):
        return "en"
    if nn > nb:
        return "nn"
    if nb > nn:
        return "nb"
    return default
