"""The short answer shown in its callout: the label and its bold markers come off, nothing else."""

from __future__ import annotations

from assistant.chat_html import split_lead
from assistant.models import Answer


def answer(text: str, lead: str = "") -> Answer:
    return Answer(text=text, abstained=False, language="nn", citations=[], lead=lead)


def test_bold_lead_loses_its_label_and_both_bold_markers():
    lead = "**Kort svar: jobbmobil, Helsenorge** [1]"
    short, rest = split_lead(answer(f"{lead}\nIfølgje planen … [1]", lead))
    assert short == "jobbmobil, Helsenorge [1]" and rest == "Ifølgje planen … [1]"


def test_bold_inside_the_lead_is_kept():
    short, _ = split_lead(answer("Short answer: the **health nurse** [2]\nAccording to …"))
    assert short == "the **health nurse** [2]"


def test_no_lead_leaves_the_text_whole():
    assert split_lead(answer("Ifølgje planen … [1]")) == ("", "Ifølgje planen … [1]")
