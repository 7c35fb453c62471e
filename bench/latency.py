"""Answer latency over the evaluation questions, per stage, after warm-up; and cold start."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.common import ROOT, run_measured, stats, table, write

STAGES = ["embed_query", "dense_search", "bm25", "fusion", "select", "format", "total"]


def questions(limit: int | None = None) -> list[dict[str, Any]]:
    items = [json.loads(l) for l in (ROOT / "evals" / "qa.jsonl").read_text(encoding="utf-8").splitlines() if l]
    return items[:limit] if limit else items


def measure(assistant: Any, items: list[dict[str, Any]], repeats: int = 3, warmup: int = 10) -> dict[str, dict[str, float]]:
    """Per-stage timings (ms) from ``Answer.timings_ms`` over repeated runs of every question."""
    for item in items[:warmup]:
        assistant.ask(item["question"], history=item.get("history") or [])
    samples: dict[str, list[float]] = {s: [] for s in STAGES}
    for _ in range(repeats):
        for item in items:
            timings = assistant.ask(item["question"], history=item.get("history") or []).timings_ms
            for stage in STAGES:
                if stage in timings:
                    samples[stage].append(timings[stage])
    return {stage: stats(values) for stage, values in samples.items() if values}


def run(repeats: int = 3, limit: int | None = None, out: Path | None = None, index_dir: str | None = None) -> dict[str, Any]:
    from assistant import Assistant
    from ingest.settings import load_settings

    settings = load_settings(**({"index_dir": index_dir} if index_dir else {}))
    assistant = Assistant.from_settings(settings)
    items = questions(limit)
    per_stage = measure(assistant, items, repeats)
    env = {"FA_INDEX_DIR": str(settings.index_dir)}
    cold = run_measured([sys.executable, "-m", "assistant", "ask", "Kva er nivå 2 i BTI?"], env)
    result = {"questions": len(items), "repeats": repeats, "per_stage_ms": per_stage, "cold_start_s": cold["seconds"], "cold_peak_rss_mb": cold["peak_rss_mb"]}
    print(table(
        f"Answer latency, ms ({len(items)} questions x {repeats}, after warm-up)",
        ["stage", "p50", "p95", "max"],
        [[stage, s["p50"], s["p95"], s["max"]] for stage, s in per_stage.items()],
    ))
    print(f"cold start (process start to first answer): {cold['seconds']} s, peak RSS {cold['peak_rss_mb']} MB")
    write("latency", result, out)
    return result
