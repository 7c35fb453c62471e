"""Question types and requested details, read from ``intents.toml``.

``Intents.of(text)`` says what kind of answer a question wants ("who", "list", "definition" …)
and ``Intents.details_asked(text)`` which details it needs the evidence to show (a phone number,
a price …). The cue lists are data; this module only matches them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def _cue_pattern(cues: list[str], patterns: list[str], heads: list[str] = ()) -> re.Pattern[str] | None:
    """Cue words and phrases as whole words; ``heads`` also as the last part of a compound
    ("mobilnummeret" asks for a number as "telefonnummeret" does)."""
    parts = [r"(?<![\w-])" + re.escape(c.lower()) + r"(?![\w-])" for c in sorted(cues, key=len, reverse=True)]
    parts += [r"(?<![\w-])[\w-]+" + re.escape(h.lower()) + r"(?![\w-])" for h in sorted(heads, key=len, reverse=True)]
    parts += patterns
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


@dataclass(frozen=True)
class Intents:
    kinds: dict[str, re.Pattern[str]]
    detail_ask: dict[str, re.Pattern[str]]
    detail_evidence: dict[str, re.Pattern[str]]
    framing: frozenset[str]
    shapes: dict[str, re.Pattern[str]]
    framing_suffixes: tuple[str, ...] = ()
    persons: frozenset[str] = frozenset()  # who the asker talks about ("dottera"): framing, and so are compounds ending in one
    after_number: frozenset[str] = frozenset()  # units of time that make a number an age ("4 mnd")
    framing_phrases: re.Pattern[str] | None = None  # idioms whose words are not the topic ("får eg tak i")
    numbers: dict[str, int] = field(default_factory=dict)  # number words ("tre": 3)
    outside: frozenset[str] = frozenset()  # "utenom (vanlig) åpningstid": a detail named as a limit is not asked for

    def is_framing(self, word: str) -> bool:
        """A word that frames the question (or gives context like an age) rather than its topic."""
        return self.is_listed(word) or self.is_age(word)

    def is_listed(self, word: str) -> bool:
        """A framing word or a person word of the lists themselves (not by its ending)."""
        return word in self.framing or word in self.persons

    def is_age(self, word: str) -> bool:
        """A word that ends like an age ("toåringen", "3-year-old")."""
        return any(word.endswith(s) for s in self.framing_suffixes)

    def of(self, text: str) -> set[str]:
        """The intents whose cues occur in ``text``."""
        return {name for name, pattern in self.kinds.items() if pattern.search(text)}

    def details_asked(self, text: str) -> set[str]:
        """The details a question asks for; not one it names as a limit ("kan de komme utenom
        vanlig åpningstid?" asks whether, not when the opening hours are)."""
        return {name for name, pattern in self.detail_ask.items()
                if any(not self.outside & set(re.findall(r"\w+", text[: m.start()].lower())[-2:]) for m in pattern.finditer(text))}

    def found(self, detail: str, evidence: str, question: str = "") -> list[str]:
        """The stretches of ``evidence`` that look like the detail asked for and that the question
        does not already give (a name asked for must be a name the question does not already
        give); empty when it holds none."""
        asked = question.lower()
        return [m.group(0) for m in self.detail_evidence[detail].finditer(evidence) if m.group(0).lower() not in asked]

    def has_shape(self, intent: str, text: str) -> bool:
        """Whether ``text`` looks like an answer of the kind ``intent`` asks for."""
        shape = self.shapes.get(intent)
        return bool(shape and shape.search(text))

    def cue_spans(self, text: str) -> list[tuple[int, int]]:
        """Where intent cues sit in ``text`` (used to split multi-part questions)."""
        return sorted({m.span() for p in self.kinds.values() for m in p.finditer(text)})


@lru_cache(maxsize=1)
def intents() -> Intents:
    data = tomllib.loads(Path(__file__).with_name("intents.toml").read_text(encoding="utf-8"))
    kinds = {}
    for name, spec in data["intent"].items():
        pattern = _cue_pattern(spec.get("cues", []), spec.get("patterns", []))
        if pattern is not None:
            kinds[name] = pattern
    ask = {name: _cue_pattern(spec.get("ask", []), spec.get("patterns", []), spec.get("heads", [])) for name, spec in data["detail"].items()}
    evidence = {name: re.compile(spec["evidence"], 0 if spec.get("case_sensitive") else re.IGNORECASE) for name, spec in data["detail"].items()}
    shapes = {name: re.compile(pattern, re.IGNORECASE | re.MULTILINE) for name, pattern in data.get("shape", {}).items()}
    spec = data["framing"]
    framing = frozenset(w.lower() for w in spec["words"])
    suffixes = tuple(w.lower() for w in spec.get("suffixes", []))
    return Intents(kinds, {k: v for k, v in ask.items() if v is not None}, evidence, framing, shapes, suffixes,
                   frozenset(w.lower() for w in spec.get("persons", [])), frozenset(w.lower() for w in spec.get("after_number", [])),
                   re.compile("|".join(spec["phrases"]), re.IGNORECASE) if spec.get("phrases") else None,
                   {w.lower(): int(n) for w, n in data.get("numbers", {}).items()},
                   frozenset(w.lower() for w in data.get("outside", {}).get("words", [])))
