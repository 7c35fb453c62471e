"""Run a QA set through the Assistant and score it.

The Assistant is loaded once; each question is asked with its history and with the
municipality the user picked in the app (``selected_municipality``), if any. The
question's own ``municipality`` is passed only when asked to: by default the assistant
must work it out from the words. Retrieval metrics score exactly what the answer was
composed from (``Answer.retrieved``), and the plain baselines (top 3 sentences by dense
similarity and by BM25) are scored in the same run with the same check.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import metrics
from evals.baselines import SentenceBaselines

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
        for key, default in (("must_include", []), ("history", []), ("tags", []), ("pointer", []),
                             ("gold_doc", None), ("gold_snippet", None), ("selected_municipality", None)):
            item.setdefault(key, default)
        items.append(item)
    return items


@dataclass
class RunOutput:
    results: list[dict[str, Any]]
    scored: list[dict[str, Any]]
    metrics: dict[str, Any]


def run(assistant: Any, items: list[dict[str, Any]], k: int = 5, pass_municipality: bool = False, baselines: bool = True) -> RunOutput:
    """Ask every question; return per-question results and the aggregate metrics."""
    from assistant.privacy import redact

    index = assistant.index
    chunk_text = {c.chunk_id: c.text for c in index.chunks}
    plain = SentenceBaselines.from_index(index, assistant.embedder) if baselines else None
    results, scored = [], []
    for item in items:
        municipality = item.get("selected_municipality") or (item.get("municipality") if pass_municipality else None)
        history = item.get("history") or []
        conversation = _replay(assistant, history, municipality)
        t0 = time.perf_counter()
        answer = assistant.ask(item["question"], history=conversation, municipality=municipality)
        latency = (time.perf_counter() - t0) * 1000
        retrieved = [r.doc_id for r in answer.retrieved[:k]]
        passages = [chunk_text.get(r.chunk_id, "") for r in answer.retrieved[:k]]
        must = item.get("must_include") or []
        missing = metrics.missing_groups(answer.text, must)
        row = {
            **{key: item.get(key) for key in ("id", "persona", "lang", "municipality", "tags", "gold_doc", "gold_snippet", "answerable")},
            "question": redact(item["question"]),
            "history": [redact(h) for h in history],
            "answer": redact(answer.text),
            "abstained": answer.abstained,
            "answer_ok": item["answerable"] and not answer.abstained and not missing,
            "missing": missing,
            "pointer_ok": _pointer_ok(item, answer),
            "help_ok": metrics.refusal_helps(answer.text, must) if item["answerable"] and answer.abstained and must else None,
            "answer_words": len(answer.text.split()),
            "cited_docs": [c.doc_id for c in answer.citations],
            "retrieved": retrieved,
            "snippet_retrieved": metrics.snippet_in(item.get("gold_snippet"), passages),
            "latency_ms": latency,
        }
        if plain is not None and item["answerable"]:
            row["dense_top3_ok"] = not metrics.missing_groups(plain.dense(item["question"], municipality), must)
            row["bm25_top3_ok"] = not metrics.missing_groups(plain.bm25(item["question"], municipality), must)
        scored.append(row)
        results.append({
            "id": item["id"], "question": row["question"], "answer": row["answer"], "abstained": answer.abstained,
            "citations": [{"doc_id": c.doc_id, "section": c.section, "quote": c.quote} for c in answer.citations],
            "retrieved": retrieved, "snippet_retrieved": row["snippet_retrieved"], "latency_ms": round(latency, 2),
        })
    summary = metrics.score(scored, k)
    summary["by"] = {key: metrics.breakdown(scored, key, k) for key in ("lang", "persona", "municipality", "tag")}
    return RunOutput(results, scored, summary)


def _replay(assistant: Any, questions: list[str], municipality: str | None) -> list[dict[str, str]]:
    """The conversation as the chat would have had it: each earlier question answered in turn,
    so a follow-up sees the earlier answers too (messages in the chat format)."""
    messages: list[dict[str, str]] = []
    for question in questions:
        answer = assistant.ask(question, history=list(messages), municipality=municipality)
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
    return messages


def _pointer_ok(item: dict[str, Any], answer: Any) -> bool | None:
    """For an unanswerable question with a pointer: refused, and the refusal names the help."""
    if item["answerable"] or not item.get("pointer"):
        return None
    return bool(answer.abstained) and not metrics.missing_groups(answer.text, item["pointer"])


def summary_line(m: dict[str, Any], k: int) -> str:
    def fmt(value: Any) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    line = (
        f"answer {fmt(m['answer_accuracy'])} | citation {fmt(m['citation_accuracy'])} | refusal {fmt(m['refusal_rate'])} | "
        f"false refusal {fmt(m['false_refusal_rate'])} (help {fmt(m.get('refusal_help_rate'))}) | pointer {fmt(m['pointer_rate'])} | hit@1 {fmt(m['hit@1'])} | "
        f"hit@{k} {fmt(m[f'hit@{k}'])} | MRR {fmt(m['mrr'])} | snippet@{k} {fmt(m[f'snippet_hit@{k}'])} | "
        f"p50 {m['latency_p50_ms']:.0f} ms | p95 {m['latency_p95_ms']:.0f} ms | words p50 {m['answer_words_p50']:.0f} | n={m['n']}"
    )
    if m.get("dense_top3_accuracy") is not None:
        line += f"\nbaselines (same run): dense top-3 sentences {fmt(m['dense_top3_accuracy'])} | BM25 top-3 sentences {fmt(m['bm25_top3_accuracy'])}"
    return line
