"""One redaction function for everything that leaves the process: logs, feedback, reports.

Redacts Norwegian national identity numbers (fødselsnummer: 11 digits with
valid control digits, written together or as 6+5 with a space) and phone
numbers (8 digits, optionally +47/0047, in common groupings).
"""

from __future__ import annotations

import re

_FNR = re.compile(r"(?<!\d)(\d{6})[ .-]?(\d{5})(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)47[ .-]?)?(?:\d{8}|\d{3}[ .-]\d{2}[ .-]\d{3}|\d{2}(?:[ .-]\d{2}){3}|\d{4}[ .-]\d{4})(?!\d)")

FNR_MASK = "[fødselsnummer fjernet]"
PHONE_MASK = "[telefonnummer fjernet]"


def valid_fnr(digits: str) -> bool:
    """True when the 11 digits carry valid mod-11 control digits."""
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


def find_personal_data(text: str) -> list[str]:
    """Kinds of personal data found: 'fødselsnummer' and/or 'telefonnummer'."""
    kinds = []
    if any(valid_fnr(m.group(1) + m.group(2)) for m in _FNR.finditer(text)):
        kinds.append("fødselsnummer")
    if _PHONE.search(_redact_fnr(text)):
        kinds.append("telefonnummer")
    return kinds


def _redact_fnr(text: str) -> str:
    return _FNR.sub(lambda m: FNR_MASK if valid_fnr(m.group(1) + m.group(2)) else m.group(0), text)


def redact(text: str) -> str:
    """Text with fødselsnummer and phone numbers replaced by a visible mask."""
    return _PHONE.sub(PHONE_MASK, _redact_fnr(text))
