"""👍/👎 and comments per answer in SQLite: redacted, plain text and length-capped before writing.

Each row ties a rating to one answer (its id, the index build it came from and the plans
it cited) so a bad answer can be traced. Everything a person typed or an answer quoted
passes :func:`clean`: personal numbers masked, markup removed and what remains escaped, so
no HTML is stored as-is and nothing can be injected into a page that later shows it.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from assistant.privacy import redact

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL
)
"""
# Columns added after the first release; added to older databases on open.
EXTRA_COLUMNS = {
    "answer_id": "TEXT NOT NULL DEFAULT ''",
    "build_id": "TEXT NOT NULL DEFAULT ''",
    "doc_ids": "TEXT NOT NULL DEFAULT '[]'",
    "ui_language": "TEXT NOT NULL DEFAULT ''",
}
MAX_COMMENT = 1000
MAX_QUESTION = 2000
MAX_ANSWER = 8000
_TAG = re.compile(r"<[^>]{0,2000}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str | None, limit: int) -> str:
    """Redacted plain text, markup stripped, the rest HTML-escaped, at most ``limit`` characters."""
    plain = _CONTROL.sub(" ", _TAG.sub(" ", str(text or "")))
    plain = re.sub(r"[ \t]+", " ", plain).strip()
    escaped = html.escape(redact(plain), quote=True)
    if len(escaped) <= limit:
        return escaped
    return re.sub(r"&[#\w]*$", "", escaped[: limit - 1]) + "…"  # never cut an entity in half


class FeedbackStore:
    """Append-only ratings; a comment may be added to a row afterwards."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(SCHEMA)
            have = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            for name, decl in EXTRA_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {decl}")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(
        self,
        rating: str,
        question: str,
        answer: str,
        citations: list[dict[str, Any]],
        comment: str = "",
        *,
        answer_id: str = "",
        build_id: str = "",
        ui_language: str = "",
    ) -> int:
        """Store one rating; returns its row id (for :meth:`set_comment`)."""
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        cleaned = [{k: clean(v, 2000) if isinstance(v, str) else v for k, v in c.items()} for c in citations]
        doc_ids = sorted({str(c.get("doc_id", "")) for c in citations if c.get("doc_id")})
        row = (
            time.strftime("%Y-%m-%dT%H:%M:%S"),
            rating,
            clean(comment, MAX_COMMENT),
            clean(question, MAX_QUESTION),
            clean(answer, MAX_ANSWER),
            json.dumps(cleaned, ensure_ascii=False),
            clean(answer_id, 64),
            clean(build_id, 64),
            json.dumps(doc_ids, ensure_ascii=False),
            clean(ui_language, 8),
        )
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created, rating, comment, question, answer, citations, answer_id, build_id, doc_ids, ui_language)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def set_comment(self, row_id: int, comment: str) -> bool:
        """Attach (or replace) the comment of one stored rating; False if there is no such row."""
        with self._lock, self._connect() as db:
            cursor = db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (clean(comment, MAX_COMMENT), int(row_id)))
            return cursor.rowcount == 1

    def set_rating(self, row_id: int, rating: str) -> bool:
        """Change the rating of one stored row (a person who switches 👍 to 👎 keeps one row)."""
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        with self._lock, self._connect() as db:
            return db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, int(row_id))).rowcount == 1

    def rows(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]
