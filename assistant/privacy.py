"""One rule for personal numbers, used for the warning while typing and for every redaction.

Everything that leaves the process (logs, the feedback store, evaluation reports) passes
through :func:`redact`, and the app warns with :func:`find_personal_data`, so what is
warned about and what is masked can never drift apart. What counts, deliberately broad
(a mistyped fødselsnummer still identifies a child):

* **fødselsnummer / D-nummer**: any 11 digits, valid control digits or not, written
  together or in the common groupings 6+5 (``150589 10063``, ``150589-10063``) and
  date+5 (``15.05.89 10063``, ``15 05 89 10063``, ``15/05/89-10063``); and any number
  of 5 or more digits right after a label (fnr, f.nr, fødselsnummer, fødselsnr,
  personnummer, personnr, pnr, d-nummer, d-nr).
* **telefonnummer**: Norwegian 8-digit numbers starting with 2–9, optionally after
  +47 / 0047, written together or grouped 2-2-2-2, 3-2-3, 2-3-3, 3-3-2, 4-4 or 4-2-2
  with spaces, dots or dashes.
"""

from __future__ import annotations

import re

_SEP = r"[ .\-/]?"
_LABEL = r"(?:f\.?\s?nr\.?|fødselsnummer(?:et)?|fødselsnr\.?|personnummer(?:et)?|personnr\.?|pnr\.?|d-?nummer(?:et)?|d-?nr\.?)"
# 11 digits: together, 6+5, or DD.MM.YY + 5 (one separator kind between the date parts).
_ELEVEN = r"\d{11}|\d{6}[ .\-/]\d{5}|\d{2}([ .\-/])\d{2}\1\d{2}[ .\-/]?\d{5}"
_FNR = re.compile(rf"(?<![\d])(?:{_ELEVEN})(?![\d])")
_LABELLED = re.compile(rf"(?i)\b{_LABEL}\s*(?:[:=#]\s*)?(?:er\s+|is\s+)?(\d(?:[ .\-/]?\d){{4,10}})(?![\d])")
_PHONE_BODY = (
    r"[2-9]\d{7}"
    r"|[2-9]\d(?:[ .\-]\d{2}){3}"
    r"|[2-9]\d{2}[ .\-]\d{2}[ .\-]\d{3}"
    r"|[2-9]\d[ .\-]\d{3}[ .\-]\d{3}"
    r"|[2-9]\d{2}[ .\-]\d{3}[ .\-]\d{2}"
    r"|[2-9]\d{3}[ .\-]\d{4}"
    r"|[2-9]\d{3}[ .\-]\d{2}[ .\-]\d{2}"
)
# "2017-2025", "2024 2032": a span of years (everywhere in plans), not a phone number grouped 4-4.
_YEARS = r"(?!(?:19|20)\d\d[ .\-](?:19|20)\d\d(?!\d))"
_PHONE = re.compile(rf"(?<![\d+])(?:(?:\+|00)47[ .\-]?)?{_YEARS}(?:{_PHONE_BODY})(?![\d])")
_PHONE_INTL = re.compile(r"(?<![\d+])(?:\+|00)47[ .\-]?\d(?:[ .\-]?\d){7}(?![\d])")

FNR_MASK = "[fødselsnummer fjernet]"
PHONE_MASK = "[telefonnummer fjernet]"
KINDS = ("fødselsnummer", "telefonnummer")


def valid_fnr(digits: str) -> bool:
    """True when the 11 digits carry valid mod-11 control digits (kept for callers that
    want to tell a well-formed number; redaction does not depend on it)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k1 = 11 - sum(a * b for a, b in zip(w1, d[:9])) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(w2, d[:10])) % 11
    k2 = 0 if k2 == 11 else k2
    return k1 != 10 and k2 != 10 and k1 == d[9] and k2 == d[10]


def _redact_fnr(text: str) -> str:
    text = _LABELLED.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + FNR_MASK, text)
    return _FNR.sub(FNR_MASK, text)


def _redact_phone(text: str) -> str:
    return _PHONE.sub(PHONE_MASK, _PHONE_INTL.sub(PHONE_MASK, text))


def find_personal_data(text: str) -> list[str]:
    """Kinds of personal data found, in :data:`KINDS` order: 'fødselsnummer', 'telefonnummer'.

    Uses exactly the patterns :func:`redact` masks, so a warning is shown iff something
    would be masked."""
    text = text or ""
    without_fnr = _redact_fnr(text)
    kinds = []
    if without_fnr != text:
        kinds.append("fødselsnummer")
    if _redact_phone(without_fnr) != without_fnr:
        kinds.append("telefonnummer")
    return kinds


def redact(text: str) -> str:
    """Text with fødselsnummer/D-nummer and phone numbers replaced by a visible mask."""
    return _redact_phone(_redact_fnr(text or ""))
