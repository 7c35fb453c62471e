"""Norway's municipality names as data (``norwegian_municipalities.txt``) and the spellings
people use for them. Ingest reads them to tell which municipality an unlisted plan file is from;
the assistant to tell a question about a municipality without plans from one about a place."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

_ASCII = str.maketrans({"ø": "o", "å": "a", "æ": "ae", "á": "a", "ŋ": "n", "š": "s", "č": "c", "đ": "d", "ŧ": "t", "ž": "z"})


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def variants(name: str) -> set[str]:
    """Spellings people use for a municipality name, lower case."""
    base = _fold(name)
    forms = {base, base.translate(_ASCII)}
    forms |= {f.replace("-", " ") for f in forms} | {f.replace("-", "") for f in forms}
    return forms


@lru_cache(maxsize=1)
def name_groups() -> tuple[tuple[str, ...], ...]:
    """Each municipality's names from the data file: its Norwegian name and its Sami/Kven ones."""
    groups: list[tuple[str, ...]] = []
    for line in Path(__file__).with_name("norwegian_municipalities.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            groups.append(tuple(part.strip() for part in line.split("/") if part.strip()))
    return tuple(groups)


def norwegian_municipalities() -> tuple[str, ...]:
    """All names (and their Sami/Kven alternatives) from the data file."""
    return tuple(dict.fromkeys(name for group in name_groups() for name in group))


def municipality_of_file(stem: str) -> str:
    """The municipality a file name starts with ("sor-aurdal-plan-2030" → "Sør-Aurdal"), the
    longest name that fits; "" when none does."""
    slug = _fold(stem).translate(_ASCII).replace(" ", "-").replace("_", "-")
    best = ""
    for group in name_groups():
        for form in {v.replace(" ", "-") for v in variants(group[0])}:
            if (slug == form or slug.startswith(form + "-")) and len(form) > len(best):
                best, name = form, group[0]
    return name if best else ""
