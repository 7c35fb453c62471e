"""The benchmarks still run (smoke size). Speed is measured by `python -m bench`, not asserted here."""

from __future__ import annotations

import pytest

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_smoke_runs_every_benchmark_and_writes_results(tmp_path):
    env = {**os.environ, "FA_FEEDBACK_DB": str(tmp_path / "fb.db")}
    out = subprocess.run([sys.executable, "-m", "bench", "all", "--smoke", "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    for name in ("ingest", "latency", "concurrency", "growth"):
        data = json.loads((tmp_path / f"{name}.json").read_text())
        assert data["machine"]["cores"] >= 1
    assert json.loads((tmp_path / "concurrency.json").read_text())["levels"][0]["errors"] == 0
    assert (tmp_path / "growth_latency.png").read_bytes()[:4] == b"\x89PNG"
    assert "Answer latency" in out.stdout and "Growth" in out.stdout
