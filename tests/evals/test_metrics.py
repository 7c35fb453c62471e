from __future__ import annotations

from evals.metrics import breakdown, hit_at, missing_groups, normalise, percentile, reciprocal_rank, refusal_helps, score, snippet_in


def test_normalise_handles_case_accents_and_nbsp():
    assert normalise("  Nivå\u00a02\n ") == "nivå 2"
    assert normalise("FØRESETTE") == "føresette"
    assert normalise("e\u0301") == "é"


def test_missing_groups_any_alternative_matches():
    answer = "Oppfølging på Nivå\u00a02 er når to tenester samarbeider."
    assert missing_groups(answer, [["nivå 2"], ["tenester", "tjenester"]]) == []
    assert missing_groups(answer, [["nivå 3"], ["TENESTER"]]) == [["nivå 3"]]
    assert missing_groups("Sør-Aurdal", [["sør-aurdal"]]) == []


def test_a_refusal_helps_when_its_pointer_holds_a_piece_of_the_answer():
    must = [["familievernkontoret"], ["mekling", "samarbeid om felles barn"]]
    pointer = "Jeg finner ikke svar på dette i planene.\n\nDet nærmeste: **Familievernkontoret** – … tilbyr rådgiving."
    assert refusal_helps(pointer, must)
    assert not refusal_helps("Jeg finner ikke svar på dette i planene.\n\nDet nærmeste: **politi** – …", must)
    assert not refusal_helps("Jeg finner ikke svar på dette i planene.", [])


def test_rank_metrics():
    retrieved = ["a", "b", "c", "b"]
    assert reciprocal_rank(retrieved, ["c"]) == 1 / 3
    assert reciprocal_rank(retrieved, ["z"]) == 0.0
    assert hit_at(retrieved, ["b"], 1) is False and hit_at(retrieved, ["b"], 2) is True


def test_snippet_in_passages_modulo_whitespace():
    assert snippet_in("gravide,\nbarn, unge", ["alle gravide, barn, unge og føresette"])
    assert not snippet_in("gravide, born", ["alle gravide, barn"])
    assert not snippet_in(None, ["x"])


def test_percentile_nearest_rank():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile([5, 1, 3, 2, 4], 95) == 5
    assert percentile([], 50) == 0.0


def row(**kw):
    base = {"answerable": True, "gold_doc": "a", "gold_snippet": "x", "abstained": False, "answer_ok": True,
            "cited_docs": ["a"], "retrieved": ["a", "b"], "snippet_retrieved": True, "latency_ms": 10.0, "tags": ["t"]}
    return {**base, **kw}


def test_score_exact_values():
    rows = [
        row(),
        row(answer_ok=False, cited_docs=["b"], retrieved=["b", "a"], snippet_retrieved=False, latency_ms=30.0),
        row(answerable=False, gold_doc=None, gold_snippet=None, abstained=True, answer_ok=False, cited_docs=[], latency_ms=20.0),
        row(answerable=False, gold_doc=None, gold_snippet=None, abstained=False, answer_ok=False, latency_ms=40.0),
        row(abstained=True, answer_ok=False, cited_docs=[], gold_doc=["z", "a"], latency_ms=50.0, help_ok=True),
    ]
    m = score(rows, k=2)
    assert m["n"] == 5 and m["answerable"] == 3 and m["unanswerable"] == 2
    assert m["hit@1"] == round(2 / 3, 4)
    assert m["hit@2"] == 1.0
    assert m["mrr"] == round((1 + 0.5 + 1) / 3, 4)
    assert m["snippet_hit@2"] == round(2 / 3, 4)
    assert m["answer_accuracy"] == round(1 / 3, 4)
    assert m["citation_accuracy"] == round(1 / 3, 4)
    assert m["refusal_rate"] == 0.5
    assert m["false_refusal_rate"] == round(1 / 3, 4)
    assert m["refusal_help_rate"] == 1.0  # of the one answerable question refused
    assert m["latency_p50_ms"] == 30.0 and m["latency_p95_ms"] == 50.0
    by_tag = breakdown(rows, "tag", k=2)
    assert by_tag["t"]["n"] == 5
