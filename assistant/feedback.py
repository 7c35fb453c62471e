"""👍/👎 feedback in SQLite, redacted before it is written."""

from __future__ import annotations

import json
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


class FeedbackStore:
    """Append-only feedback table; every text field passes through :func:`redact`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, rating: str, question: str, answer: str, citations: list[dict[str, Any]], comment: str = "") -> int:
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        cleaned = [{k: redact(v) if isinstance(v, str) else v for k, v in c.items()} for c in citations]
        row = (
            time.strftime("%Y-%m-%dT%H:%M:%S"),
            rating,
            redact(comment or "")[:2000],
            redact(question)[:4000],
            redact(answer)[:8000],
            json.dumps(cleaned, ensure_ascii=False),
        )
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created, rating, comment, question, answer, citations) VALUES (?, ?, ?, ?, ?, ?)", row
            )
            return int(cursor.lastrowid or 0)

    def rows(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]
