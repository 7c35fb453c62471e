"""One language at a time needs every word in every language."""

from __future__ import annotations

import re

from assistant import ui_strings


def test_every_key_is_in_every_language_with_the_same_placeholders():
    tables = ui_strings.strings()
    keys = {lang: set(tables[lang]) for lang in ui_strings.LANGUAGES}
    assert keys["nn"] == keys["nb"] == keys["en"]
    for key in keys["nn"]:
        if isinstance(tables["nn"][key], str):
            holes = {lang: set(re.findall(r"\{(\w+)\}", tables[lang][key])) for lang in ui_strings.LANGUAGES}
            assert holes["nn"] == holes["nb"] == holes["en"], key
    gradio = {lang: set(tables[lang]["gradio"]) for lang in ui_strings.LANGUAGES}
    assert gradio["nn"] == gradio["nb"] == gradio["en"]
    assert all(len(ui_strings.examples(lang)) == 6 for lang in ui_strings.LANGUAGES)


def test_the_three_languages_differ_where_they_should():
    assert ui_strings.text("nn", "all_municipalities") == "Alle kommunar"
    assert ui_strings.text("nb", "all_municipalities") == "Alle kommuner"
    assert ui_strings.text("en", "all_municipalities") == "All municipalities"
    assert ui_strings.text("xx", "send") == "Spør", "unknown languages fall back to Nynorsk"


def test_gradio_translations_hold_our_labels_and_gradios_own_keys():
    tr = ui_strings.gradio_translations()
    assert tr["nn"]["chatbot.clear"] == "Tøm samtalen" and tr["en"]["question_label"] == "Your question"
    assert "examples" not in tr["nn"] and "gradio" not in tr["nn"]
