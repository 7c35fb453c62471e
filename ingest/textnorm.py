"""Unicode hygiene for everything that is embedded: NFC, no runs of combining marks, a length cap.

A question of 2,000 combining accents on one letter is 2,000 model tokens (7 s
of CPU) that mean nothing; NFC composes what it can and a letter keeps at
most :data:`MAX_MARKS` marks (Norwegian needs one at most; Vietnamese two).
"""

from __future__ import annotations

import unicodedata

MAX_MARKS = 2
_MARKS = frozenset(("Mn", "Me"))


def strip_mark_runs(text: str, keep: int = MAX_MARKS) -> str:
    """Drop combining marks beyond ``keep`` in a row."""
    if text.isascii():
        return text
    out: list[str] = []
    run = 0
    for ch, category in zip(text, map(unicodedata.category, text)):
        if category in _MARKS:
            run += 1
            if run > keep:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def normalise_unicode(text: str) -> str:
    """NFC, then combining-mark runs trimmed."""
    return strip_mark_runs(unicodedata.normalize("NFC", text))


def embeddable(text: str, max_chars: int) -> str:
    """What the embedder may see of ``text``: normalised and at most ``max_chars`` characters."""
    return normalise_unicode(text[: max_chars * 4])[:max_chars]
