from ingest.sentences import split_sentences


def test_splits_at_full_stops_with_offsets():
    text = "Nivå 1 gjeld ei teneste. Nivå 2 gjeld to tenester!"
    parts = split_sentences(text, offset=10)
    assert [p[0] for p in parts] == ["Nivå 1 gjeld ei teneste.", "Nivå 2 gjeld to tenester!"]
    assert all(text[s - 10 : e - 10] == t for t, s, e in parts)


def test_keeps_abbreviations_and_references_together():
    text = "Dette gjeld bl.a. skule og t.d. barnehage. (Meld. St. 6 (2019–2020) s. 22). Neste."
    assert [p[0] for p in split_sentences(text)] == [
        "Dette gjeld bl.a. skule og t.d. barnehage.",
        "(Meld. St. 6 (2019–2020) s. 22).",
        "Neste.",
    ]


def test_url_is_not_a_sentence_end():
    text = "Send via portal: https://www.sor-aurdal.kommune.no/nyheter/x.8740.aspx Det går òg å ringe."
    assert len(split_sentences(text)) == 1


def test_ordinal_number_is_not_a_sentence_end():
    assert len(split_sentences("Planen skal revideres hvert 4. år og rapporteres hvert 2. år.")) == 1


def test_the_number_of_a_list_item_is_not_a_sentence():
    text = "Risikofaktorer: 1. Skadelige omsorgsformer. 2. Alvorlige krenkelser. Planen kom i 2024. Den gjeld."
    assert [p[0] for p in split_sentences(text)] == [
        "Risikofaktorer: 1. Skadelige omsorgsformer.",
        "2. Alvorlige krenkelser.",
        "Planen kom i 2024.",
        "Den gjeld.",
    ]
