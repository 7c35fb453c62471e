from __future__ import annotations

import pytest
from tests.helpers import write_docx, write_pdf

from ingest.cleaning import clean_document
from ingest.errors import IngestError
from ingest.loaders import html_to_text, load_text
from ingest.models import DocMeta


def test_txt_and_md_load_as_utf8(tmp_path):
    (tmp_path / "a.txt").write_text("Føresette og tenester.", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Tittel\n\nTekst.", encoding="utf-8")
    assert load_text(tmp_path / "a.txt") == "Føresette og tenester."
    assert "Tekst." in load_text(tmp_path / "b.md")


def test_html_keeps_list_items_and_real_links(tmp_path):
    markup = (
        "<html><head><style>p{}</style></head><body><h2>Nivå 2</h2><p>To tenester <i>samarbeider</i>.</p>"
        "<ul><li>Helsestasjon</li><li>Skule</li></ul>"
        '<p><a href="https://example.no/portal">Nasjonal portal</a> og <a href="#">intern</a></p>'
        "<table><tr><td>Tiltak</td><td>Ansvarlig</td></tr><tr><td>HFU</td><td>Helsestasjon</td></tr></table></body></html>"
    )
    text = html_to_text(markup)
    lines = [l for l in text.splitlines() if l.strip()]
    assert "- Helsestasjon" in lines and "- Skule" in lines
    assert "Nasjonal portal (https://example.no/portal) og intern" in lines
    assert "Tiltak\tAnsvarlig" in lines and "HFU\tHelsestasjon" in lines
    (tmp_path / "p.html").write_text(markup, encoding="utf-8")
    doc = clean_document(load_text(tmp_path / "p.html"), DocMeta("p", "P", "M", "nn"))
    assert "Tiltak: HFU. Ansvarlig: Helsestasjon." in doc.text


def test_pdf_text_is_extracted(tmp_path):
    path = tmp_path / "plan.pdf"
    write_pdf(path, ["Plan for forebygging", "Tiltak i heimen avgjerast av helsestasjonen."])
    text = load_text(path)
    assert "Plan for forebygging" in text and "helsestasjonen" in text


def test_docx_paragraphs_and_tables_are_extracted(tmp_path):
    path = tmp_path / "plan.docx"
    write_docx(path, ["Samarbeid mellom tenester."], [["Tiltak", "Ansvarlig"], ["Koordinator", "Tildelingskontoret"]])
    text = load_text(path)
    assert "Samarbeid mellom tenester." in text
    assert "Koordinator\tTildelingskontoret" in text


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n ", "empty"),
        ("binary.txt", b"\x00\x01\x02binary", "binary"),
        ("latin1.txt", "Føresette".encode("latin-1"), "UTF-8"),
        ("plan.rtf", b"{\\rtf1 hei}", "unknown file type"),
        ("broken.pdf", b"%PDF-1.4 this is not a pdf", "PDF"),
        ("broken.docx", b"PK not a zip", "Word"),
    ],
)
def test_bad_files_raise_errors_naming_file_and_problem(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        load_text(path)
    assert info.value.path.endswith(name)
    assert problem.lower() in info.value.problem.lower()
