"""Every cleaning rule, tested on real snippets from the corpus."""

from __future__ import annotations

from tests.conftest import doc_text

from ingest.cleaning import clean_document, clean_inline, is_toc_line
from ingest.models import DocMeta

META = DocMeta("x", "X", "Sogndal", "nn")


def clean(raw: str):
    return clean_document(raw, META)


def texts(doc, kind=None):
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


def test_markdown_links_to_hash_become_their_text():
    raw = "[BTI](#) skal sikre at barn og unge får den hjelpa dei treng."
    assert clean_inline(raw) == "BTI skal sikre at barn og unge får den hjelpa dei treng."
    assert clean_inline("[Rettleiar – Sogndal – BTI \\(betreinnsats.no\\)](#)") == "Rettleiar – Sogndal – BTI (betreinnsats.no)"


def test_real_urls_are_kept():
    raw = "Kilde: <https://www.bufdir.no/barnevern/omsorgssvikt/>"
    assert clean_inline(raw) == "Kilde: https://www.bufdir.no/barnevern/omsorgssvikt/"
    doc = clean(doc_text("sor-aurdal-plan-forebyggende-arbeid-2030"))
    assert "https://www.sor-aurdal.kommune.no/nyheter/nasjonal-portal-for-bekymringsmeldinger.8740.aspx" in doc.text


def test_inline_html_and_emphasis_are_stripped():
    assert clean_inline("<i>Barnevern</i> og **Samarbeid:** og *Tidlig oppdagelse*") == "Barnevern og Samarbeid: og Tidlig oppdagelse"


def test_html_list_in_a_line_becomes_one_item_per_line():
    raw = (
        "Trinn 2\t\n"
        "Prinsipper for samarbeid\tI samarbeidet mellom grunntjenestene, gjelder følgende prinsipper:\n\n"
        '<ul style="list-style-type: none"> • Retningslinjer for møter: <ul style="list-style-type: none"> '
        "○ Dersom tjenestene er uenige om tiltak, gjelder: <ul style=\"list-style-type: none\"> "
        "▪ Tiltak i skole/barnehagetid eller i deres regi avgjøres av skole/barnehage i samråd med foresatte. "
        "▪ Tiltak i hjemmet avgjøres av helsestasjon og skolehelsetjenesten i samråd med foresatte. </ul></ul></ul>\n"
    )
    doc = clean(raw)
    items = texts(doc, "list_item")
    assert "Tiltak i hjemmet avgjøres av helsestasjon og skolehelsetjenesten i samråd med foresatte." in items
    assert "Dersom tjenestene er uenige om tiltak, gjelder:" in items
    assert "<" not in doc.text


def test_html_ordered_list_inside_a_table_cell_is_split_into_items():
    doc = clean(doc_text("sor-aurdal-plan-forebyggende-arbeid-2030"))
    assert "Beskyttelsesfaktorer: 2. En venn. Tilhørighet til et sosialt fellesskap." in texts(doc)
    assert "<ol" not in doc.text and "<p>" not in doc.text


def test_tab_table_row_carries_header_names():
    doc = clean(doc_text("sor-aurdal-plan-forebyggende-arbeid-2030"))
    row = next(t for t in texts(doc, "table_row") if t.startswith("Tiltak: Koordinator Barnekoordinator."))
    assert "Målgruppe: Barn og unge med ekstra behov." in row
    assert row.endswith("Ansvarlig: Tildelingskontoret.")


def test_table_row_continued_after_page_break_is_joined():
    doc = clean(doc_text("sogndal-bti-struktur-for-samarbeid"))
    row = next(t for t in texts(doc, "table_row") if t.startswith("Navn: Individuell plan Koordinator."))
    assert "individuell plan i lovverket sitt, det vil seia helse- og levekårstenestene, barnevern og NAV." in row
    doc2 = clean(doc_text("sor-aurdal-plan-forebyggende-arbeid-2030"))
    kartlegging = next(t for t in texts(doc2) if "foretar sakkyndige vurderinger der utbytte" in t)
    assert "Ergo- og fysioterapitjenesten" in kartlegging


def test_key_value_table_in_trinn_section():
    doc = clean(doc_text("sor-aurdal-plan-forebyggende-arbeid-2030"))
    block = next(b for b in doc.blocks if b.text == "Målgruppe: Barn og unge med behov for ekstraordinære tiltak i en periode.")
    assert block.section[-1] == "Trinn 3"
    assert block.section == ("4 Modell for samhandling", "4.2 Trinn i samhandlingsmodellen", "Trinn 3")


def test_pipe_table_rows_carry_headers_and_drop_repeated_cells():
    doc = clean(doc_text("sogndal-saman-samtidig-foreldrestotte"))
    row = next(t for t in texts(doc) if t.startswith("Tiltak: Etablere foreldrekafé"))
    assert row == (
        "Tiltak: Etablere foreldrekafé som uformell møteplass med fagleg innhald. "
        "Organisering / Korleis får me det til: Ansvar: Psykisk helseteneste barn og unge Frå hausten 2025."
    )
    assert "|" not in doc.text


def test_pipe_table_with_short_first_cell_keeps_four_columns():
    doc = clean(doc_text("sogndal-saman-samtidig-foreldrestotte"))
    row = next(t for t in texts(doc) if t.startswith("Tiltak: Implementere Trygghetssirkelen i barnehage."))
    assert "Organisering / Korleis får me det til: Oppstart: planleggingsdag august 2205" in row


def test_table_of_contents_lines_are_dropped():
    assert is_toc_line("1.2 Risikofaktorer og beskyttelsesfaktorer\t5")
    assert is_toc_line("Forankring.....\t3")
    assert not is_toc_line("Barn (0-17 år) som bor trangt: 12 %")
    doc = clean(doc_text("sor-aurdal-plan-forebyggende-arbeid-2030"))
    assert "....." not in doc.text
    assert "Trinn 1.....\t16" not in doc.text


def test_repeated_page_headers_are_dropped():
    raw = doc_text("sogndal-bti-struktur-for-samarbeid")
    header = "Heilskapleg og samordna innsats for barn og unge i Sogndal kommune. Struktur for samarbeid"
    assert raw.count(header) >= 3
    assert header not in clean(raw).text


def test_empty_bullets_and_navigation_are_dropped():
    raw = "Tekst her.\n- \n•\nLes mer\nimagemi2i7.png\nMeir tekst."
    assert texts(clean(raw)) == ["Tekst her.", "Meir tekst."]


def test_wrapped_lines_are_joined():
    raw = doc_text("sogndal-samhandlingsmodell")
    doc = clean(raw)
    assert "Universell førebygging omfattar innsats retta mot alle gravide, barn, unge og føresette, utan at det er identifisert risiko." in texts(doc)


def test_headings_give_section_paths():
    doc = clean(doc_text("sogndal-bti-struktur-for-samarbeid"))
    headings = texts(doc, "heading")
    assert "Nivå 2: Tverrfagleg samarbeid" in headings
    para = next(b for b in doc.blocks if b.text.startswith("Oppfølging på Nivå 2 er når to tenester"))
    assert para.section[-1] == "Nivå 2: Tverrfagleg samarbeid"
    ss = clean(doc_text("sogndal-saman-samtidig-foreldrestotte"))
    goal = next(b for b in ss.blocks if b.text.startswith("Mål: Føresette til born"))
    assert goal.section[-1] == "1.2 Mål og strategiar"


def test_numbered_list_is_not_mistaken_for_headings():
    doc = clean(doc_text("sor-aurdal-plan-forebyggende-arbeid-2030"))
    assert "2. Barns passering av utviklingsmilepæler" in texts(doc, "list_item")
    assert "1. Kunnskapsgrunnlag" in texts(doc, "heading")


def test_block_offsets_index_the_cleaned_text():
    for doc_id in ("sandnes-plan-forebygging-2024-2032", "sor-aurdal-plan-forebyggende-arbeid-2030"):
        doc = clean(doc_text(doc_id))
        for block in doc.blocks:
            assert doc.text[block.start : block.end] == block.text
