from __future__ import annotations

import pytest
from tests.conftest import CORPUS

from ingest.chunking import chunk_document
from ingest.cleaning import clean_document
from ingest.models import DocMeta

DOCS = sorted(p.stem for p in CORPUS.glob("*.txt"))


@pytest.fixture(scope="module")
def chunked():
    out = {}
    for doc_id in DOCS:
        doc = clean_document((CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8"), DocMeta(doc_id, doc_id, "M", "nb"))
        out[doc_id] = (doc, chunk_document(doc))
    return out


@pytest.mark.parametrize("doc_id", DOCS)
def test_offsets_point_at_the_chunk_and_unit_text(chunked, doc_id):
    doc, chunks = chunked[doc_id]
    assert chunks
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        for unit in chunk.units:
            assert doc.text[unit.start : unit.end] == unit.text
            assert chunk.start <= unit.start < unit.end <= chunk.end


@pytest.mark.parametrize("doc_id", DOCS)
def test_chunks_stay_within_the_size_limit(chunked, doc_id):
    _, chunks = chunked[doc_id]
    for chunk in chunks:
        words = len(chunk.text.split())
        longest_unit = max(len(u.text.split()) for u in chunk.units)
        assert words <= 300 or len(chunk.units) == 1 or longest_unit > 250, (chunk.section, words)


def test_a_table_row_is_one_chunk_and_one_unit(chunked):
    _, chunks = chunked["sor-aurdal-plan-forebyggende-arbeid-2030"]
    row = next(c for c in chunks if c.text.startswith("Tiltak: Koordinator Barnekoordinator."))
    assert row.kind == "row" and len(row.units) == 1 and row.units[0].kind == "row"
    assert row.section == "3 Kartlegging av forebyggende tiltak og ressurser › 3.4 Indikerte tiltak"


def test_sentences_are_never_split(chunked):
    _, chunks = chunked["sogndal-bti-struktur-for-samarbeid"]
    sentence = "Oppfølging på Nivå 2 er når to tenester samarbeider med barnet/ungdomen og heimen om gode tiltak og positiv utvikling."
    assert any(sentence in c.text for c in chunks)
    assert any(u.text == sentence for c in chunks for u in c.units)


def test_chunks_carry_metadata(chunked):
    _, chunks = chunked["sogndal-bti-struktur-for-samarbeid"]
    chunk = next(c for c in chunks if "Nivå 2 er når" in c.text)
    assert chunk.doc_id == "sogndal-bti-struktur-for-samarbeid"
    assert chunk.section.endswith("Nivå 2: Tverrfagleg samarbeid")
    assert chunk.chunk_id and all(u.chunk_id == chunk.chunk_id for u in chunk.units)


def test_a_short_list_item_is_one_unit_and_a_long_one_is_split_into_sentences():
    text = "Vernefaktorar\n\n- En venn. Tilhørighet til et sosialt fellesskap.\n- " + "Ein lang punkt med mange ord. " * 10 + "\n"
    doc = clean_document(text, DocMeta("d", "d", "M", "nb"))
    units = [u.text for c in chunk_document(doc) for u in c.units]
    assert "En venn. Tilhørighet til et sosialt fellesskap." in units
    assert units.count("Ein lang punkt med mange ord.") == 10


def test_a_numbered_list_in_a_table_cell_keeps_each_item_whole(chunked):
    _, chunks = chunked["sor-aurdal-plan-forebyggende-arbeid-2030"]
    units = [u.text for c in chunks for u in c.units]
    assert "Beskyttelsesfaktorer: 2. En venn. Tilhørighet til et sosialt fellesskap." in units
    assert not any(u.endswith(": 2.") for u in units)
