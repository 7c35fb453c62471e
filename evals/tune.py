"""Grid search of fusion and composer settings on a QA set (``python -m evals tune``).

Loads the index once and re-scores every combination; prints the best
combinations by answer accuracy, breaking ties on false refusals and MRR. Use
it to choose defaults, then confirm on a held-out set if you have one: a grid
this small can still overfit a 111-question set.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from evals.runner import run

GRID = {
    "rrf_k": [10, 30, 60],
    "dense_weight": [0.7, 1.0, 1.3],
    "lexical_weight": [0.25, 0.35, 0.5],
    "keep_margin": [0.03, 0.05, 0.08],
}


def tune(assistant: Any, items: list[dict[str, Any]], grid: dict[str, list[float]] | None = None) -> list[dict[str, Any]]:
    grid = grid or GRID
    retriever = assistant._loaded.retriever
    composer = assistant._loaded.composer
    base = composer.tuning
    rows = []
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid.keys(), values))
        retriever.rrf_k = int(params.get("rrf_k", retriever.rrf_k))
        retriever.dense_weight = float(params.get("dense_weight", retriever.dense_weight))
        composer.tuning = replace(base, **{k: v for k, v in params.items() if hasattr(base, k)})
        m = run(assistant, items, baselines=False).metrics
        rows.append({**params, **{k: m[k] for k in ("answer_accuracy", "citation_accuracy", "refusal_rate", "false_refusal_rate", "mrr")}})
    composer.tuning = base
    rows.sort(key=lambda r: (-r["answer_accuracy"], r["false_refusal_rate"], -r["refusal_rate"], -r["mrr"]))
    return rows
