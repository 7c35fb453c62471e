"""BM25 from a token table: the same scores as bm25s (the library it replaces at load time), and a
new build copies the tokens of unchanged chunks instead of tokenising them again."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

import assistant.bm25 as bm25_module
from assistant.bm25 import BM25Index, chunk_keys, tokenise
from assistant.text import tokens
from ingest.models import Chunk, Unit

TEXTS = [
    "Helsesjukepleiar på helsestasjonen tek imot alle foreldre",
    "Barnevernstenesta tek imot meldingar om bekymring, og barnevernet svarar innan ei veke",
    "Kulturskulen har konsertar",
    "",
    "Helsestasjonen har foreldrekurs, kurs og grupper for foreldre til barn med bekymring",
]


def chunks(texts: list[str] = TEXTS, municipality: str = "M") -> list[Chunk]:
    return [Chunk(f"c{i}", "d", "T", municipality, "nn", "S", t, 0, len(t), "text", [Unit(f"u{i}", f"c{i}", "d", t, 0, len(t))])
            for i, t in enumerate(texts)]


@pytest.mark.parametrize("query", ["helsestasjonen foreldre", "bekymring bekymring meldingar", "kurs for foreldre", "ukjent ord"])
def test_scores_are_bm25s_scores(query):
    corpus = [tokens(f"S {t}", "nn") or ["_"] for t in TEXTS]
    model = bm25s.BM25(k1=1.2, b=0.75)
    model.index(corpus, show_progress=False)
    known = [t for t in tokens(query, "nn") if t in model.vocab_dict]
    expected = np.asarray(model.get_scores(known)) if known else np.zeros(len(TEXTS))
    assert BM25Index.of(chunks()).scores(tokens(query, "nn")) == pytest.approx(expected, abs=1e-5)


def test_search_ranks_filters_by_municipality_and_skips_zero_scores():
    mixed = chunks()[:2] + chunks(["Helsesjukepleiar i Sandnes"], municipality="N")
    index = BM25Index.of(mixed)
    assert [i for i, _ in index.search(tokens("helsesykepleier"), 5)] == [2, 0]  # the shorter chunk first
    assert [i for i, _ in index.search(tokens("helsesykepleier"), 5, "N")] == [2]
    assert index.search(tokens("konsert"), 5) == []


def test_chunks_with_lists_the_rows_holding_a_token():
    index = BM25Index.of(chunks())
    assert index.chunks_with(tokens("helsestasjonen")[0]).tolist() == [0, 4]
    assert index.chunks_with("finst-ikkje").tolist() == []


def test_idf_counts_chunks_holding_each_token():
    corpus = [tokens(f"S {t}", "nn") or ["_"] for t in TEXTS]
    df: dict[str, int] = {}
    for doc in corpus:
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    assert BM25Index.of(chunks()).idf() == pytest.approx({t: float(np.log(1 + len(corpus) / (1 + d))) for t, d in df.items()})


def test_a_new_table_copies_unchanged_chunks_and_tokenises_only_the_rest(monkeypatch):
    before = tokenise(chunks())
    edited = TEXTS[:2] + ["Kulturskulen har konsertar og korps"] + TEXTS[3:]
    calls: list[str] = []
    real = bm25_module.tokens
    monkeypatch.setattr(bm25_module, "tokens", lambda text, lang="nb": calls.append(text) or real(text, lang))
    after = tokenise(chunks(edited), previous=before)
    assert calls == ["S Kulturskulen har konsertar og korps"]
    fresh = tokenise(chunks(edited))
    for i in range(len(edited)):
        assert [after.vocab[j] for j in after.row(i)] == [fresh.vocab[j] for j in fresh.row(i)]


def test_tokens_no_chunk_holds_any_more_leave_the_vocabulary():
    before = tokenise(chunks())
    after = tokenise(chunks(TEXTS[:2]), previous=before)
    assert "kulturskul" not in " ".join(after.vocab) and len(after.vocab) < len(before.vocab)
    assert int(after.ids.max()) < len(after.vocab)


def test_a_chunk_key_changes_with_text_section_or_language():
    base = chunks(["Helsestasjonen"])[0]
    variants = [base, Chunk(**{**base.__dict__, "text": "Helsestasjon"}), Chunk(**{**base.__dict__, "section": "Annan"}),
                Chunk(**{**base.__dict__, "language": "nb"})]
    assert len(set(chunk_keys(variants).tolist())) == 4
