"""Our index as llama-index pieces, tested with llama-index's own mock LLMs over a hash-embedded index."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.llms import ChatMessage, MockLLM
from llama_index.core.llms.mock import MockFunctionCallingLLM, MockLLMWithChatMemoryOfLastCall
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from assistant import Assistant
from assistant.answer import ComposerTuning
from assistant.llamaindex import SYSTEM, PlanQueryEngine, PlanRetriever, passages_prompt
from assistant.llm import make_llm
from ingest.embedding import HashEmbedder
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Kva er nivå 2 i BTI?"


# The composer's dense thresholds are tuned for e5; hash-vector cosines mean nothing to them.
HASH_TUNING = ComposerTuning(scope_floor=-1.0, strong_dense=-1.0, lexical_floor=-1.0, help_floor=-1.0)


@pytest.fixture(scope="module")
def hash_assistant(tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("hash-index"), corpus_dir=ROOT / "corpus", embed_backend="hash")
    run_ingest(settings, embedder=HashEmbedder())
    return Assistant(settings, HashEmbedder(), tuning=HASH_TUNING)


def only(municipality: str) -> MetadataFilters:
    return MetadataFilters(filters=[MetadataFilter(key="municipality", value=municipality)])


def assert_quotes_the_plan(assistant, node):
    """The node's text is the cleaned plan text at its offsets: a citation a reader can check."""
    meta = node.metadata
    assert assistant.index.doc_texts[meta["doc_id"]][meta["start"] : meta["end"]] == node.get_content()
    assert (node.start_char_idx, node.end_char_idx, node.ref_doc_id) == (meta["start"], meta["end"], meta["doc_id"])


# --- retriever -------------------------------------------------------------------


def test_retriever_returns_the_assistants_hits_as_nodes_with_our_ids_metadata_and_offsets(hash_assistant):
    retriever = PlanRetriever(hash_assistant, similarity_top_k=4)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve(QUESTION)
    hits = hash_assistant.retrieve(QUESTION, None, None, 4)
    assert [n.node.node_id for n in nodes] == [h.chunk.chunk_id for h in hits] and len(nodes) == 4
    assert [n.score for n in nodes] == [pytest.approx(h.score) for h in hits]
    for n, h in zip(nodes, hits):
        c = h.chunk
        assert {k: n.node.metadata[k] for k in ("doc_id", "title", "municipality", "section", "start", "end")} == {
            "doc_id": c.doc_id, "title": c.title, "municipality": c.municipality, "section": c.section, "start": c.start, "end": c.end,
        }
        assert_quotes_the_plan(hash_assistant, n.node)


def test_top_k_is_honoured(hash_assistant):
    assert len(PlanRetriever(hash_assistant, similarity_top_k=1).retrieve(QUESTION)) == 1
    assert len(PlanRetriever(hash_assistant, similarity_top_k=9).retrieve(QUESTION)) == 9
    with pytest.raises(ValueError):
        PlanRetriever(hash_assistant, similarity_top_k=0)


def test_municipality_filter_is_strict_even_when_the_question_names_another(hash_assistant):
    question = "Korleis samarbeider tenestene i Sogndal om barn og unge?"
    unfiltered = PlanRetriever(hash_assistant, similarity_top_k=6).retrieve(question)
    assert {n.node.metadata["municipality"] for n in unfiltered} == {"Sogndal"}  # the question narrows it
    for value, expected in (("Sandnes", "Sandnes"), ("sor-aurdal", "Sør-Aurdal")):
        nodes = PlanRetriever(hash_assistant, similarity_top_k=6, filters=only(value)).retrieve(question)
        assert len(nodes) == 6 and {n.node.metadata["municipality"] for n in nodes} == {expected}


def test_filters_the_index_cannot_apply_are_refused_not_ignored(hash_assistant):
    for filters in (
        MetadataFilters(filters=[MetadataFilter(key="doc_id", value="sogndal-bti-struktur-for-samarbeid")]),
        MetadataFilters(filters=[MetadataFilter(key="municipality", value="Sogndal", operator=FilterOperator.NE)]),
        MetadataFilters(filters=[MetadataFilter(key="municipality", value="Sogndal"), MetadataFilter(key="language", value="nn")]),
        MetadataFilters(filters=[MetadataFilter(key="municipality", value=["Sogndal", "Sandnes"], operator=FilterOperator.IN)]),
    ):
        with pytest.raises(ValueError, match="one municipality"):
            PlanRetriever(hash_assistant, filters=filters)


def test_retriever_plugs_into_llama_indexs_own_query_engine(hash_assistant):
    retriever = PlanRetriever(hash_assistant, similarity_top_k=3)
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM())
    response = engine.query(QUESTION)
    assert [n.node.node_id for n in response.source_nodes] == [n.node.node_id for n in retriever.retrieve(QUESTION)]
    prompt = str(response)  # MockLLM echoes the prompt the stock synthesizer built from our nodes
    first = response.source_nodes[0].node
    assert first.get_content() in prompt and f"section: {first.metadata['section']}" in prompt
    assert "start: " not in prompt and "doc_id: " not in prompt  # offsets are for citing, not for the LLM


# --- query engine -----------------------------------------------------------------


def test_query_engine_answers_with_the_llm_citing_retrieved_nodes(hash_assistant):
    # MockLLM echoes the chat it was given: a reply that cites [1]..[3], the passages in order.
    engine = PlanQueryEngine.from_assistant(hash_assistant, llm=MockLLM(), similarity_top_k=3)
    response = engine.query(QUESTION)
    retrieved = PlanRetriever(hash_assistant, similarity_top_k=3).retrieve(QUESTION)
    assert response.metadata["mode"] == "llm"
    assert [n.node.node_id for n in response.source_nodes] == [n.node.node_id for n in retrieved]
    assert f"Spørsmål: {QUESTION}" in response.response
    for i, n in enumerate(response.source_nodes, 1):
        assert f"[{i}] ({n.node.metadata['title']}, {n.node.metadata['municipality']}) {n.node.get_content()}" in response.response
        assert_quotes_the_plan(hash_assistant, n.node)


def test_query_engine_prompts_in_the_askers_standard(hash_assistant):
    llm = MockLLMWithChatMemoryOfLastCall()
    engine = PlanQueryEngine.from_assistant(hash_assistant, llm=llm, similarity_top_k=2, filters=only("Sogndal"))
    for question, standard in (("Kva er nivå 2 i BTI?", "nn"), ("Hvem kan henvise til BUP?", "nb")):
        response = engine.query(question)
        system, user = llm.last_chat_messages
        assert system.content == SYSTEM[standard]
        assert user.content == passages_prompt(question, response.source_nodes)
        assert {n.node.metadata["municipality"] for n in response.source_nodes} == {"Sogndal"}


def test_query_engine_keeps_only_what_the_llm_cites_in_the_order_it_cites(hash_assistant):
    reply = "Nivå 2 er når to tenester samarbeider [3], sjå òg [1], [3] og [7]."
    llm = MockFunctionCallingLLM(response_generator=lambda messages, **_: ChatMessage(role="assistant", content=reply))
    response = PlanQueryEngine.from_assistant(hash_assistant, llm=llm, similarity_top_k=3).query(QUESTION)
    retrieved = PlanRetriever(hash_assistant, similarity_top_k=3).retrieve(QUESTION)
    assert response.response == "Nivå 2 er når to tenester samarbeider [1], sjå òg [2], [1] og."
    assert [n.node.node_id for n in response.source_nodes] == [retrieved[2].node.node_id, retrieved[0].node.node_id]
    assert response.metadata["retrieved"] == [n.node.node_id for n in retrieved]


def test_query_engine_falls_back_to_the_extractive_answer_within_the_filter(hash_assistant):
    question = "Hvem har ansvar for foreldrestøtte?"
    extractive = hash_assistant.ask(question, municipality="Sør-Aurdal")
    assert extractive.citations and extractive.text != hash_assistant.ask(question).text  # the filter matters here
    unreachable = Settings(llm_backend="openai", llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_timeout_s=2)

    for llm in (None, MockLLM(max_tokens=4), make_llm(unreachable)):  # no LLM, an uncited reply, a server that is down
        response = PlanQueryEngine.from_assistant(hash_assistant, llm=llm, filters=only("Sør-Aurdal")).query(question)
        assert response.metadata["mode"] == "extractive", llm
        assert response.response == extractive.text and response.metadata["municipality"] == "Sør-Aurdal"
        assert [n.node.get_content() for n in response.source_nodes] == [c.quote for c in extractive.citations]
        for n in response.source_nodes:
            assert n.node.metadata["municipality"] == "Sør-Aurdal"
            assert_quotes_the_plan(hash_assistant, n.node)


def test_query_engine_never_sends_empty_or_oversized_questions_to_the_llm(hash_assistant):
    llm = MockLLMWithChatMemoryOfLastCall()
    engine = PlanQueryEngine.from_assistant(hash_assistant, llm=llm)
    too_long = "Kva er nivå 2? " * 200
    for question in ("", "?!.", too_long):
        response = engine.query(question)
        assert response.metadata["mode"] == "extractive" and response.metadata["abstained"]
        assert response.response == hash_assistant.ask(question).text
    assert llm.last_chat_messages is None


def test_query_engine_without_an_llm_uses_the_assistants_own_llm_answer_as_is(hash_assistant):
    # An assistant made with FA_LLM_BACKEND set answers through its LLM; the engine says so.
    with_llm = Assistant(hash_assistant.settings, HashEmbedder(), llm=MockLLM(), tuning=HASH_TUNING)
    response = PlanQueryEngine.from_assistant(with_llm).query(QUESTION)
    assert response.metadata["mode"] == "assistant"
    assert f"Spørsmål: {QUESTION}" in response.response  # MockLLM's echo: the assistant's LLM wrote it


# --- the assistant's own LLM path, built on the same pieces ---------------------------------


def test_assistant_llm_path_cites_its_top_hits_through_llama_index(hash_assistant):
    with_llm = Assistant(hash_assistant.settings, HashEmbedder(), llm=MockLLM(), tuning=HASH_TUNING)
    answer = with_llm.ask(QUESTION)
    top = [r.chunk_id for r in answer.retrieved[:5]]
    chunks = {c.chunk_id: c for c in with_llm.index.chunks}
    assert [(c.doc_id, c.start, c.end) for c in answer.citations] == [(chunks[i].doc_id, chunks[i].start, chunks[i].end) for i in top]
    assert [c.n for c in answer.citations] == [1, 2, 3, 4, 5] and "llm" in answer.timings_ms


def test_assistant_llm_path_falls_back_when_the_reply_cites_nothing(hash_assistant):
    plain = hash_assistant.ask("Kven er stafetthaldar i Sogndal?")
    answer = Assistant(hash_assistant.settings, HashEmbedder(), llm=MockLLM(max_tokens=4), tuning=HASH_TUNING).ask("Kven er stafetthaldar i Sogndal?")
    assert not plain.abstained and answer.text == plain.text and answer.citations == plain.citations


# --- the real embedder and corpus -------------------------------------------------------------


def test_real_index_as_retriever_and_query_engine(real_assistant):
    question = "Hvem kan henvise til BUP?"
    nodes = PlanRetriever(real_assistant, similarity_top_k=5, filters=only("Sør-Aurdal")).retrieve(question)
    assert len(nodes) == 5 and {n.node.metadata["municipality"] for n in nodes} == {"Sør-Aurdal"}
    assert any("Fastlege" in n.node.get_content() for n in nodes)
    for n in nodes:
        assert_quotes_the_plan(real_assistant, n.node)
    extractive = PlanQueryEngine.from_assistant(real_assistant, filters=only("Sør-Aurdal")).query(question)
    assert extractive.metadata["mode"] == "extractive" and "Fastlege" in extractive.response
    assert extractive.source_nodes and all(n.node.metadata["municipality"] == "Sør-Aurdal" for n in extractive.source_nodes)
    cited = PlanQueryEngine.from_assistant(real_assistant, llm=MockLLM(), filters=only("Sør-Aurdal")).query(question)
    assert cited.metadata["mode"] == "llm" and [n.node.node_id for n in cited.source_nodes] == [n.node.node_id for n in nodes]
