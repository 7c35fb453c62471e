"""A conversation through the chat handler with the real assistant: a question that stands alone
is answered alone after unrelated turns, and 'Ny samtale' forgets the conversation."""

from __future__ import annotations

import pytest

from assistant import chat


class Recording:
    """The real assistant, recording the history each question is asked with."""

    def __init__(self, assistant) -> None:  # noqa: ANN001
        self._assistant = assistant
        self.histories: list[list] = []

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._assistant, name)

    def ask(self, question, history=None, municipality=None, language=None):  # noqa: ANN001, ANN201
        self.histories.append(list(history or []))
        return self._assistant.ask(question, history=history, municipality=municipality, language=language)


def send(assistant, question: str, session: chat.ChatSession) -> chat.ChatSession:  # noqa: ANN001
    steps = list(chat.respond(assistant, None, question, session, "Alle", "nn", delay=0))
    return steps[-1][1]


@pytest.mark.slow
def test_a_standalone_question_after_unrelated_turns_then_a_new_conversation(real_assistant):
    assistant = Recording(real_assistant)
    session = chat.ChatSession()
    for question in ("Hva er SLT i Sandnes?", "Kven kan tilvise til BUP i Sør-Aurdal?", "Kva er BTI?"):
        session = send(assistant, question, session)
    assert len(assistant.histories[2]) == 4  # the two earlier questions and their answers were there
    third = session.turns[-1].answer
    assert third is not None and not third.abstained, third.text if third else None
    assert any(c.municipality == "Sogndal" and c.doc_id.startswith("sogndal-") for c in third.citations)

    _, session, *_ = chat.reset("nn")  # "Ny samtale"
    follow_up = "Kven har ansvaret då?"
    session = send(assistant, follow_up, session)
    assert assistant.histories[-1] == []
    assert [t.question for t in session.turns] == [follow_up]
    alone = real_assistant.ask(follow_up, language="nn")
    assert session.turns[-1].answer.text == alone.text
