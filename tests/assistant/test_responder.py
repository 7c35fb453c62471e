"""The responder's query vector: a question that tells a story is searched by its asking sentence too."""

from __future__ import annotations

import numpy as np

from assistant.query import Part
from assistant.responder import Responder


class RecordingEmbedder:
    """One axis per distinct text, so a blend shows which texts went in and in what share."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        self.texts.append(text)
        v = np.zeros(8, dtype=np.float32)
        v[len(self.texts) - 1] = 1.0
        return v


def responder(weight: float) -> tuple[Responder, RecordingEmbedder]:
    embedder = RecordingEmbedder()
    return Responder(None, None, None, embedder, 8, weight), embedder  # type: ignore[arg-type]


def test_a_story_question_blends_in_its_asking_sentence_by_the_focus_weight():
    r, embedder = responder(0.3)
    part = Part("Eg er sliten. Finst det kurs?", "Eg er sliten. Finst det kurs?", [], set(), focus="Finst det kurs?")
    v = r._query_vector(part)
    assert embedder.texts == ["Eg er sliten. Finst det kurs?", "Finst det kurs?"]
    assert np.isclose(np.linalg.norm(v), 1.0) and np.isclose(v[1] / v[0], 0.3 / 0.7)


def test_a_plain_question_or_a_zero_weight_embeds_once():
    r, embedder = responder(0.3)
    r._query_vector(Part("Finst det kurs?", "Finst det kurs?", [], set()))
    off, quiet = responder(0.0)
    off._query_vector(Part("Eg er sliten. Finst det kurs?", "Eg er sliten. Finst det kurs?", [], set(), focus="Finst det kurs?"))
    assert embedder.texts == ["Finst det kurs?"] and quiet.texts == ["Eg er sliten. Finst det kurs?"]
