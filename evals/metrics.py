"""Pure metric functions: no I/O, no models; unit-tested on hand-built inputs."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any


def normalise(text: str) -> str:
    """NFC, case-folded, every run of whitespace (incl. non-breaking) → one space."""
    text = unicodedata.normalize("NFC", text or "")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip().casefold()


def missing_groups(answer: str, must_include: Sequence[Sequence[str]]) -> list[list[str]]:
    """The must_include groups of which no alternative occurs in the answer."""
    norm = normalise(answer)
    return [list(group) for group in must_include if not any(normalise(alt) in norm for alt in group)]


def refusal_helps(answer: str, must_include: Sequence[Sequence[str]]) -> bool:
    """Whether a refusal of an answerable question still gives the reader part of the answer: the
    help it points to holds at least one of the required pieces (the service, the offer)."""
    return len(missing_groups(answer, must_include)) < len(must_include)


def gold_docs(gold: str | Sequence[str] | None) -> list[str]:
    if gold is None:
        return []
    return [gold] if isinstance(gold, str) else list(gold)


def reciprocal_rank(retrieved: Sequence[str], gold: Iterable[str]) -> float:
    wanted = set(gold)
    for rank, doc in enumerate(retrieved, 1):
        if doc in wanted:
            return 1.0 / rank
    return 0.0


def hit_at(retrieved: Sequence[str], gold: Iterable[str], k: int) -> bool:
    return bool(set(retrieved[:k]) & set(gold))


def snippet_in(snippet: str | None, passages: Iterable[str]) -> bool:
    """Whether the gold snippet lies inside one of the passages (modulo whitespace and case)."""
    if not snippet:
        return False
    needle = normalise(snippet)
    return any(needle in normalise(p) for p in passages)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score(rows: Sequence[dict[str, Any]], k: int = 5) -> dict[str, Any]:
    """Aggregate metrics over result rows (each joined with its question).

    Each row needs: answerable, gold_doc, abstained, answer_ok, cited_docs,
    retrieved, snippet_retrieved, latency_ms. Optional: pointer_ok (None when the
    question has no pointer), help_ok (None unless an answerable question was refused),
    dense_top3_ok and bm25_top3_ok (the plain baselines).
    """
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    with_gold = [r for r in answerable if gold_docs(r.get("gold_doc"))]
    with_snippet = [r for r in answerable if r.get("gold_snippet")]
    latencies = [float(r["latency_ms"]) for r in rows]
    pointed = [r for r in unanswerable if r.get("pointer_ok") is not None]
    refused = [r for r in answerable if r.get("help_ok") is not None]
    with_baselines = [r for r in answerable if "dense_top3_ok" in r]
    return {
        "n": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "hit@1": _ratio(sum(hit_at(r["retrieved"], gold_docs(r["gold_doc"]), 1) for r in with_gold), len(with_gold)),
        f"hit@{k}": _ratio(sum(hit_at(r["retrieved"], gold_docs(r["gold_doc"]), k) for r in with_gold), len(with_gold)),
        "mrr": round(sum(reciprocal_rank(r["retrieved"][:k], gold_docs(r["gold_doc"])) for r in with_gold) / len(with_gold), 4) if with_gold else None,
        f"snippet_hit@{k}": _ratio(sum(bool(r["snippet_retrieved"]) for r in with_snippet), len(with_snippet)),
        "answer_accuracy": _ratio(sum(bool(r["answer_ok"]) for r in answerable), len(answerable)),
        "citation_accuracy": _ratio(sum(bool(set(r["cited_docs"]) & set(gold_docs(r["gold_doc"]))) for r in with_gold), len(with_gold)),
        "refusal_rate": _ratio(sum(bool(r["abstained"]) for r in unanswerable), len(unanswerable)),
        "false_refusal_rate": _ratio(sum(bool(r["abstained"]) for r in answerable), len(answerable)),
        "pointer_rate": _ratio(sum(bool(r["pointer_ok"]) for r in pointed), len(pointed)),
        "refusal_help_rate": _ratio(sum(bool(r["help_ok"]) for r in refused), len(refused)),
        "dense_top3_accuracy": _ratio(sum(bool(r["dense_top3_ok"]) for r in with_baselines), len(with_baselines)),
        "bm25_top3_accuracy": _ratio(sum(bool(r["bm25_top3_ok"]) for r in with_baselines), len(with_baselines)),
        "answer_words_p50": round(percentile([float(r.get("answer_words", 0)) for r in rows if not r["abstained"]], 50), 1),
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p95_ms": round(percentile(latencies, 95), 1),
    }


def breakdown(rows: Sequence[dict[str, Any]], key: str, k: int = 5) -> dict[str, dict[str, Any]]:
    """Metrics per value of ``key`` (a field, or 'tag' for each tag)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        values = r.get("tags") or [] if key == "tag" else [r.get(key)]
        for value in values:
            groups.setdefault(str(value) if value is not None else "(none)", []).append(r)
    return {name: score(group, k) for name, group in sorted(groups.items())}
