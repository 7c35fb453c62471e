"""Inline markup in the exports (markdown links and emphasis, autolinks, inline HTML) → plain text.

Used for prose lines (:mod:`ingest.cleaning`) and table cells (:mod:`ingest.tables`) alike.
"""

from __future__ import annotations

import re


def clean_inline(text: str) -> str:
    """Markdown links, emphasis, autolinks and inline HTML tags → plain text."""
    text = re.sub(r"\[((?:[^\[\]\\]|\\.)+)\]\((#[^)]*|)\)", r"\1", text)  # [BTI](#) → BTI
    text = re.sub(r"\[((?:[^\[\]\\]|\\.)+)\]\((https?://[^)\s]+)\)", r"\1 (\2)", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"\\([()\[\]*_#])", r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"</?(i|b|em|strong|span|u|a)(\s[^>]*)?>", "", text, flags=re.IGNORECASE)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"</?(p|div|ul|ol|li)(\s[^>]*)?>", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip()
