from __future__ import annotations

import tomllib
from pathlib import Path

from assistant.text import stopwords, term_map, tokens

TERMS = Path(__file__).resolve().parents[2] / "assistant" / "terms.toml"


def test_term_map_is_valid_data_without_duplicates():
    data = tomllib.loads(TERMS.read_text(encoding="utf-8"))
    assert {"nynorsk_bokmal", "lay_plan", "english"} <= set(data)
    merged = term_map()
    for key, value in merged.items():
        assert key == key.lower() and value == value.lower() and " " not in key
        assert merged.get(value, value) == value, f"{key} → {value} is not resolved to the end"


def test_nynorsk_and_bokmal_questions_fold_to_the_same_tokens():
    pairs = [
        ("Kva gjer helsesjukepleiar i skulen?", "Hva gjør helsesykepleier i skolen?"),
        ("Kven er stafetthaldar?", "Hvem er stafettholder?"),
        ("Korleis kontaktar føresette barnevernstenesta?", "Hvordan kontakter foresatte barnevernstjenesten?"),
        ("Kva tenester gjev rettleiar?", "Hvilke tjenester gir veileder?"),
    ]
    for nn, nb in pairs:
        assert set(tokens(nn)) & set(tokens(nb)), (nn, nb)
    assert "helsesykeplei" in tokens("helsesjukepleiar") and "helsesykeplei" in tokens("helsesykepleier")
    assert tokens("stafetthaldar") == tokens("stafettholder")
    assert tokens("teneste") == tokens("tjeneste") and tokens("føresette") == tokens("foresatte")


def test_level_numbers_make_joint_tokens_for_nivå_and_trinn():
    assert "nivå_2" in tokens("nivå 2") and "nivå_2" in tokens("Trinn 2")
    assert "nivå_3" not in tokens("nivå 2")


def test_stopwords_cover_both_standards_but_keep_numbers():
    stop = stopwords()
    assert {"kva", "hva", "ikkje", "ikke", "eg", "jeg"} <= stop
    assert "to" in tokens("to tenester")


def test_hyphenated_words_yield_their_parts():
    assert {"cos", "kurs"} <= set(tokens("COS-kurset"))
