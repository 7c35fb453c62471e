"""What reaches the embedder (issue 13): NFC, no runs of combining marks, bounded length."""

from __future__ import annotations

import unicodedata

import numpy as np

from ingest.cleaning import normalise
from ingest.embedding import HashEmbedder
from ingest.textnorm import embeddable, strip_mark_runs

ZALGO = "a" + "\u0301" * 2000


def test_nfc_and_mark_runs():
    assert embeddable("sko\u0301le", 100) == "skóle"  # composed
    assert strip_mark_runs(ZALGO) == "a\u0301\u0301" and embeddable(ZALGO, 100) == "á\u0301\u0301"
    assert embeddable("Kva er nivå 2 i BTI?", 100) == "Kva er nivå 2 i BTI?"
    assert embeddable("x" * 10_000, 2000) == "x" * 2000


def test_plan_text_is_normalised_when_cleaned():
    assert normalise("Helsesjukepleiar pa\u030a skulen " + ZALGO) == "Helsesjukepleiar på skulen á\u0301\u0301"
    assert unicodedata.is_normalized("NFC", normalise("e\u0301"))


def test_the_hash_embedder_sees_the_same_capped_text():
    fake = HashEmbedder(max_chars=50)
    assert np.array_equal(fake.embed_query("ord " * 1000), fake.embed_query(("ord " * 1000)[:50]))
    assert np.array_equal(fake.embed_query(ZALGO), fake.embed_query("á\u0301\u0301"))


def test_the_real_model_sees_at_most_its_token_limit(real_embedder):
    for text in (ZALGO, "x" * 100_000, "ord " * 3000, " ".join(f"ord{n}" for n in range(20_000))):
        for is_query in (True, False):
            fitted = real_embedder._fit(text, is_query)
            assert real_embedder._model.token_count(fitted, is_query) <= real_embedder.max_tokens
    short = "Kva er nivå 2 i BTI?"
    assert real_embedder._fit(short, True) == short
    assert np.allclose(real_embedder.embed_query(ZALGO), real_embedder.embed_query("á\u0301\u0301"), atol=1e-6)
