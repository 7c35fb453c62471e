"""Run a QA set through the Assistant and score it.

The Assistant is loaded once; each question is asked with its history, and
with its municipality only when asked to (by default the assistant must work
from the question text alone).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import metrics

REQUIRED = ("id", "question", "answerable")


class QAError(ValueError):
    """A QA file line that does not follow the schema."""


def load_qa(path: Path) -> list[dict[str, Any]]:
    """Questions from a JSONL file; unknown keys are kept and ignored."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QAError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        missing = [key for key in REQUIRED if key not in item]
        if missing:
            raise QAError(f"{path}:{n}: missing {', '.join(missing)}")
        item.setdefault("must_include", [])
        item.setdefault("history", [])
        item.setdefault("tags", [])
        item.setdefault("gold_doc", None)
        item.setdefault("gold_snippet", None)
        items.append(item)
    return items


@dataclass
class RunOutput:
    results: list[dict[str, Any]]
    scored: list[dict[str, Any]]
    metrics: dict[str, Any]


def run(assistant: Any, items: list[dict[str, Any]], k: int = 5, pass_municipality: bool = False) -> RunOutput:
    """Ask every question; return per-question results and the aggregate metrics."""
    from assistant.privacy import redact

    results, scored = [], []
    for item in items:
        municipality = item.get("municipality") if pass_municipality else None
        t0 = time.perf_counter()
        answer = assistant.ask(item["question"], history=item.get("history") or [], municipality=municipality)
        latency = (time.perf_counter() - t0) * 1000
        hits = assistant.retrieve(item["question"], history=item.get("history") or [], municipality=municipality, k=k)
        retrieved = [h.chunk.doc_id for h in hits[:k]]
        passages = [h.chunk.text for h in hits[:k]]
        snippet_ok = metrics.snippet_in(item.get("gold_snippet"), passages)
        missing = metrics.missing_groups(answer.text, item.get("must_include") or [])
        result = {
            "id": item["id"],
            "question": redact(item["question"]),
            "answer": redact(answer.text),
            "abstained": answer.abstained,
            "citations": [{"doc_id": c.doc_id, "section": c.section, "quote": c.quote} for c in answer.citations],
            "retrieved": retrieved,
            "snippet_retrieved": snippet_ok,
            "latency_ms": round(latency, 2),
        }
        results.append(result)
        scored.append(
            {
                **{key: item.get(key) for key in ("id", "persona", "lang", "municipality", "tags", "gold_doc", "gold_snippet", "answerable")},
                "question": result["question"],
                "answer": result["answer"],
                "abstained": answer.abstained,
                "answer_ok": item["answerable"] and not answer.abstained and not missing,
                "missing": missing,
                "cited_docs": [c.doc_id for c in answer.citations],
                "retrieved": retrieved,
                "snippet_retrieved": snippet_ok,
                "latency_ms": latency,
            }
        )
    summary = metrics.score(scored, k)
    summary["by"] = {key: metrics.breakdown(scored, key, k) for key in ("lang", "persona", "municipality", "tag")}
    return RunOutput(results, scored, summary)


def write_outputs(out_dir: Path, output: RunOutput, k: int) -> None:
    from evals.report import write_report

    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as fh:
        for row in output.results:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(output.metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    write_report(out_dir, output, k)


def summary_line(m: dict[str, Any], k: int) -> str:
    def fmt(value: Any) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    return (
        f"answer {fmt(m['answer_accuracy'])} | citation {fmt(m['citation_accuracy'])} | refusal {fmt(m['refusal_rate'])} | "
        f"false refusal {fmt(m['false_refusal_rate'])} | hit@1 {fmt(m['hit@1'])} | hit@{k} {fmt(m[f'hit@{k}'])} | "
        f"MRR {fmt(m['mrr'])} | snippet@{k} {fmt(m[f'snippet_hit@{k}'])} | p50 {m['latency_p50_ms']:.0f} ms | "
        f"p95 {m['latency_p95_ms']:.0f} ms | n={m['n']}"
    )
