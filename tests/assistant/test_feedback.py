"""The feedback store: plain, escaped, capped, redacted; old databases gain the new columns."""

from __future__ import annotations

import sqlite3

from assistant.feedback import MAX_COMMENT, FeedbackStore, clean


def test_text_is_stored_plain_escaped_redacted_and_capped(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    row_id = store.add("up", "<script>alert(1)</script>Hei & ha 41 234 567", "Svar", [], "<b>x</b>" * 10_000, answer_id="a1")
    row = store.rows()[0]
    assert row["id"] == row_id
    assert "<" not in row["question"] and "alert(1)" in row["question"] and "&amp;" in row["question"]
    assert "41 234 567" not in row["question"]
    assert len(row["comment"]) <= MAX_COMMENT and "<b>" not in row["comment"]


def test_capping_never_cuts_an_entity_in_half():
    assert clean("&" * 50, 21) == "&amp;" * 4 + "…"
    assert clean("&" * 50, 23) == "&amp;" * 4 + "…"
    assert len(clean("a" * 5000, 100)) == 100


def test_set_comment_and_rating_update_one_row(tmp_path):
    store = FeedbackStore(tmp_path / "fb.db")
    row_id = store.add("up", "q", "a", [{"n": 1, "doc_id": "d"}])
    assert store.set_comment(row_id, "Bra, men fnr 15058910063") and store.set_rating(row_id, "down")
    assert not store.set_comment(999, "x")
    row = store.rows()[0]
    assert row["rating"] == "down" and "15058910063" not in row["comment"] and row["doc_ids"] == '["d"]'


def test_an_old_database_gains_the_new_columns(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, rating TEXT NOT NULL, "
            "comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL)"
        )
        db.execute("INSERT INTO feedback (created, rating, question, answer, citations) VALUES ('t', 'up', 'q', 'a', '[]')")
    store = FeedbackStore(path)
    store.add("down", "q2", "a2", [], answer_id="x", build_id="b")
    rows = store.rows()
    assert rows[0]["answer_id"] == "" and rows[1]["answer_id"] == "x" and rows[1]["build_id"] == "b"
