"""Grid search of composer settings on a QA set (``python -m evals tune``), on copies.

The loaded index is reused; every combination answers through ``Assistant.with_tuning``, a
copy, so the Assistant passed in is never changed. Prints the best combinations by answer accuracy,
breaking ties on false refusals and refusals. Use it on the dev set only, and keep the grid
small: a grid can overfit 244 questions too, and the test set is the judge.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from evals.runner import run

GRID: dict[str, list[float]] = {
    "keep_margin": [0.10, 0.15],
    "max_units": [4, 5],
}


def tune(assistant: Any, items: list[dict[str, Any]], grid: dict[str, list[float]] | None = None) -> list[dict[str, Any]]:
    grid = grid or GRID
    base = assistant.tuning
    rows = []
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid.keys(), values))
        tuning = replace(base, **{k: type(getattr(base, k))(v) for k, v in params.items()})
        m = run(assistant.with_tuning(tuning), items, baselines=False).metrics
        rows.append({**params, **{k: m[k] for k in ("answer_accuracy", "citation_accuracy", "refusal_rate", "false_refusal_rate")}})
    rows.sort(key=lambda r: (-r["answer_accuracy"], r["false_refusal_rate"], -r["refusal_rate"]))
    return rows
