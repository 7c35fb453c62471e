from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.models import Answer, Citation
from evals.report import write_outputs
from evals.runner import QAError, load_qa, run

ROOT = Path(__file__).resolve().parents[2]


class FakeAssistant:
    """Answers from a table over a two-chunk index; records what it was asked."""

    def __init__(self):
        import numpy as np

        from ingest.embedding import HashEmbedder
        from ingest.models import Chunk, Unit

        self.calls = []
        self.embedder = HashEmbedder()
        texts = {"a1": ("doc-a", "Nivå 2 er to   tenester."), "b1": ("doc-b", "Helsestasjonen er open for alle.")}
        units = [Unit(f"{cid}-u", cid, doc, text, 0, len(text)) for cid, (doc, text) in texts.items()]
        chunks = [Chunk(u.chunk_id, u.doc_id, "T", "Sogndal", "nn", "S", u.text, 0, len(u.text), units=[u]) for u in units]
        vectors = np.stack([self.embedder.embed_query(u.text) for u in units])
        self.index = type("Index", (), {"chunks": chunks, "units": units, "unit_vectors": vectors})()

    def ask(self, question, history=None, municipality=None):
        from assistant.models import Retrieved

        self.calls.append((question, history, municipality))
        ranked = [Retrieved("doc-b", "b1", 0.9), Retrieved("doc-a", "a1", 0.8)]
        if "ordfører" in question:
            return Answer("Jeg finner ikke svar på dette i planene. Planene nevner helsestasjonen.", True, "nb", retrieved=ranked)
        cite = Citation(1, "doc-a", "A", "Sogndal", "S", "Nivå 2 er to tenester. Ring 91234567.", 0, 10)
        return Answer("Nivå 2 er to tenester. Ring 91234567. [1]", False, "nn", [cite], retrieved=ranked)


def write_qa(path: Path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


ROWS = [
    {"id": "a", "persona": "staff", "lang": "nn", "municipality": "Sogndal", "history": ["før"], "question": "Kva er nivå 2?",
     "must_include": [["nivå 2"]], "gold_doc": "doc-a", "gold_snippet": "Nivå 2 er to tenester", "answerable": True, "tags": ["x"], "extra": 1},
    {"id": "b", "persona": "parent", "lang": "nb", "municipality": None, "question": "Hvem er ordfører?", "must_include": [],
     "gold_doc": None, "gold_snippet": None, "answerable": False, "pointer": [["helsestasjon"]], "selected_municipality": "Sandnes"},
    {"id": "c", "persona": "parent", "lang": "nb", "municipality": None, "question": "Hvem er ordfører i Sogndal?", "must_include": [],
     "gold_doc": None, "gold_snippet": None, "answerable": False, "pointer": [["barnevernet"]]},
]


def test_run_scores_and_writes_every_output(tmp_path):
    write_qa(tmp_path / "qa.jsonl", ROWS)
    items = load_qa(tmp_path / "qa.jsonl")
    fake = FakeAssistant()
    output = run(fake, items, k=5)
    assert fake.calls[0] == ("før", [], None)  # the earlier turn is replayed first, as the chat would have
    assert fake.calls[1][0] == "Kva er nivå 2?" and fake.calls[1][1][0] == {"role": "user", "content": "før"}
    assert fake.calls[1][1][1]["role"] == "assistant" and fake.calls[1][2] is None  # municipality only on request
    m = output.metrics
    assert fake.calls[2][2] == "Sandnes"  # what the user picked in the app is always passed
    assert m["answer_accuracy"] == 1.0 and m["refusal_rate"] == 1.0 and m["hit@1"] == 0.0 and m["mrr"] == 0.5
    assert m["snippet_hit@5"] == 1.0  # scored on the chunks the answer itself retrieved
    assert m["pointer_rate"] == 0.5  # b names its pointer, c does not
    assert m["refusal_help_rate"] is None  # no answerable question was refused
    assert m["dense_top3_accuracy"] == 1.0 and m["bm25_top3_accuracy"] == 1.0  # both sentences hold "nivå 2"
    write_outputs(tmp_path / "out", output, 5)
    results = [json.loads(l) for l in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert set(results[0]) == {"id", "question", "answer", "abstained", "citations", "retrieved", "snippet_retrieved", "latency_ms"}
    assert "91234567" not in results[0]["answer"]  # reports are redacted
    assert (tmp_path / "out" / "report.md").read_text().startswith("# Evaluation report")
    assert (tmp_path / "out" / "accuracy_by_tag.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["by"]["lang"]["nn"]["n"] == 1


def test_municipality_is_passed_only_when_asked(tmp_path):
    write_qa(tmp_path / "qa.jsonl", ROWS)
    fake = FakeAssistant()
    run(fake, load_qa(tmp_path / "qa.jsonl"), pass_municipality=True)
    assert fake.calls[1][2] == "Sogndal"


def test_schema_errors_name_the_line(tmp_path):
    (tmp_path / "qa.jsonl").write_text('{"id": "a", "question": "q", "answerable": true}\n{broken\n')
    with pytest.raises(QAError, match="qa.jsonl:2"):
        load_qa(tmp_path / "qa.jsonl")
    (tmp_path / "qa.jsonl").write_text('{"id": "a"}\n')
    with pytest.raises(QAError, match="missing question"):
        load_qa(tmp_path / "qa.jsonl")


def test_qa_set_shape_and_gold_snippets_are_verbatim(corpus_dir):
    import re

    items = load_qa(ROOT / "evals" / "qa.jsonl")
    assert len(items) >= 80
    assert len({i["id"] for i in items}) == len(items)
    assert sum(not i["answerable"] for i in items) >= 15
    langs = [i["lang"] for i in items]
    assert langs.count("en") >= 3 and abs(langs.count("nn") - langs.count("nb")) <= 15
    docs = {p.stem for p in corpus_dir.glob("*.txt")}
    ws = lambda s: re.sub(r"\s+", " ", s)
    for item in items:
        assert item["persona"] in ("staff", "parent") and item["lang"] in ("nn", "nb", "en")
        golds = [item["gold_doc"]] if isinstance(item["gold_doc"], str) else (item["gold_doc"] or [])
        assert set(golds) <= docs
        if item["gold_snippet"]:
            texts = [ws((corpus_dir / f"{g}.txt").read_text(encoding="utf-8")) for g in golds]
            assert any(ws(item["gold_snippet"]) in t for t in texts), item["id"]
    covered = {g for i in items for g in ([i["gold_doc"]] if isinstance(i["gold_doc"], str) else (i["gold_doc"] or []))}
    assert covered == docs


def test_floors_set_the_exit_code(real_settings, tmp_path):
    write_qa(tmp_path / "qa.jsonl", [
        {"id": "a", "question": "Kva nivå i BTI gjeld når to tenester samarbeider med barnet og heimen?", "must_include": [["nivå 2"]],
         "gold_doc": "sogndal-bti-struktur-for-samarbeid", "answerable": True},
    ])
    env = {**os.environ, "FA_INDEX_DIR": str(real_settings.index_dir)}
    cmd = [sys.executable, "-m", "evals", "run", "--qa", str(tmp_path / "qa.jsonl"), "--out", str(tmp_path / "o")]
    ok = subprocess.run(cmd + ["--min-answer", "0.9"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("answer 1.000 | citation 1.000")
    missed = subprocess.run(cmd + ["--max-false-refusal", "-1"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert missed.returncode == 1 and "FLOOR MISSED" in missed.stderr


def test_floors_name_every_metric_missed_and_the_margin_over_the_plain_baselines():
    from evals.__main__ import _missed_floors

    m = {"answer_accuracy": 0.80, "citation_accuracy": 0.95, "refusal_rate": None, "false_refusal_rate": 0.05,
         "dense_top3_accuracy": 0.74, "bm25_top3_accuracy": 0.79, "by": {"tag": {"x": {"answer_accuracy": 0.5}}}}
    assert _missed_floors(m, {"min_answer": 0.78, "max_false_refusal": 0.06, "min_over_baselines": 0.01}) == []
    missed = _missed_floors(m, {"min_answer": 0.81, "max_false_refusal": 0.04, "min_over_baselines": 0.02,
                                "min_refusal": 0.9, "tags": {"x": {"min_answer": 0.6}}})
    assert len(missed) == 5 and any("baseline 0.790 + 0.02" in f for f in missed)
    assert any(f.startswith("refusal_rate None") for f in missed) and any(f.startswith("[x]") for f in missed)


def test_run_scores_the_help_a_refusal_of_an_answerable_question_gives(tmp_path):
    write_qa(tmp_path / "qa.jsonl", [
        {"id": "d", "persona": "parent", "lang": "nb", "municipality": None, "question": "Hvem er ordfører, og hvem kan hjelpe?",
         "must_include": [["helsestasjonen"], ["ordføreren heter"]], "gold_doc": "doc-a", "gold_snippet": None, "answerable": True},
        {"id": "e", "persona": "parent", "lang": "nb", "municipality": None, "question": "Hvem er ordfører nå?",
         "must_include": [["barnevernet"]], "gold_doc": "doc-a", "gold_snippet": None, "answerable": True},
    ])
    output = run(FakeAssistant(), load_qa(tmp_path / "qa.jsonl"), k=5, baselines=False)
    assert [r["help_ok"] for r in output.scored] == [True, False]  # both refused; only d's refusal names its helper
    assert output.metrics["false_refusal_rate"] == 1.0 and output.metrics["refusal_help_rate"] == 0.5
