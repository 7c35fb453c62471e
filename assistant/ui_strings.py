"""The app's own words in Nynorsk, Bokmål and English, read from ``ui_strings.toml``.

Kept as data so a translator edits one file and a test can check that every key
exists in every language. Static labels go to Gradio's i18n (switched in the
browser); messages the server writes (notices, warnings, source cards) are looked
up here with :func:`text`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("nn", "nb", "en")
DEFAULT_LANGUAGE = "nn"
PATH = Path(__file__).with_name("ui_strings.toml")
KIND_KEYS = {"fødselsnummer": "kind_fnr", "telefonnummer": "kind_phone"}


@cache
def strings() -> dict[str, dict[str, Any]]:
    """All three tables, parsed once."""
    with PATH.open("rb") as f:
        return tomllib.load(f)


def language(code: str | None) -> str:
    """A supported UI language for any input (unknown or missing: Nynorsk)."""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def text(lang: str | None, key: str, **values: Any) -> str:
    """One message in ``lang`` with its {placeholders} filled."""
    template = strings()[language(lang)][key]
    return template.format(**values) if values else template


def examples(lang: str | None) -> list[str]:
    """Example questions, staff ones first, in ``lang``."""
    table = strings()[language(lang)]["examples"]
    return [*table["staff"], *table["parents"]]


def kinds_text(lang: str | None, kinds: list[str]) -> str:
    """'a phone number and …' for the kinds :func:`assistant.privacy.find_personal_data` found."""
    names = [text(lang, KIND_KEYS[k]) for k in kinds if k in KIND_KEYS]
    return text(lang, "kinds_joiner").join(names)


def from_accept_language(header: str | None) -> str:
    """The UI language for a browser's Accept-Language header: nn, nb (also 'no') or en;
    the first supported one by preference, else Nynorsk."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, i, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        base = tag.split("-")[0]
        if base in ("nn", "nb", "en"):
            return base
        if base == "no":
            return "nb"
    return DEFAULT_LANGUAGE


def gradio_translations() -> dict[str, dict[str, str]]:
    """Per-language dictionaries for ``gr.I18n``: our static labels plus Gradio's own keys."""
    out: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        table = strings()[lang]
        flat = {k: v for k, v in table.items() if isinstance(v, str)}
        out[lang] = {**flat, **table["gradio"]}
    return out
