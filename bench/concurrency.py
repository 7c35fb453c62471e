"""N simultaneous askers through the running app's API (gradio_client, loopback only)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, stats, table, write
from bench.latency import questions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(index_dir: str | None, timeout_s: float = 120, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, float]:
    """Start app.py on a free loopback port; return (process, url, seconds until the first API answer)."""
    from gradio_client import Client

    port = free_port()
    # every simulated asker comes from 127.0.0.1, so the per-client limit would count them as one client
    env = {**os.environ, "FA_PORT": str(port), "FA_HOST": "127.0.0.1", "FA_FEEDBACK_DB": str(Path(tempfile.mkdtemp()) / "fb.db"),
           "FA_ASK_PER_MINUTE": "0", **(extra_env or {})}
    if index_dir:
        env["FA_INDEX_DIR"] = index_dir
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = started + timeout_s
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("app exited during start-up")
        try:
            Client(url, verbose=False).predict("Kva er BTI?", "Alle", [], api_name="/ask")
            return proc, url, round(time.perf_counter() - started, 2)
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("app did not answer in time")


def hammer(url: str | list[str], workers: int, per_worker: int, texts: list[str], time_limit_s: float = 120) -> dict[str, Any]:
    """``workers`` threads, each with its own client (spread over the given app URLs), ask ``per_worker`` questions
    (bounded in count and time)."""
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + time_limit_s

    urls = [url] if isinstance(url, str) else url

    def worker(n: int) -> None:
        client = Client(urls[n % len(urls)], verbose=False)
        for i in range(per_worker):
            if time.perf_counter() > deadline:
                break
            text = texts[(n * per_worker + i) % len(texts)]
            t = time.perf_counter()
            try:
                result = client.predict(text, "Alle", [], api_name="/ask")
                ok = isinstance(result, dict) and "text" in result and not result.get("error")
            except Exception as exc:  # counted, not raised
                ok, result = False, repr(exc)
            elapsed = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(str(result)[:200])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    return {"workers": workers, "requests": len(latencies), "errors": len(errors), "error_samples": errors[:3],
            "throughput_rps": round(len(latencies) / wall, 2), "latency_ms": stats(latencies)}


def run(levels: tuple[int, ...] = (1, 4, 16), per_worker: int = 10, out: Path | None = None, index_dir: str | None = None) -> dict[str, Any]:
    texts = [q["question"] for q in questions()]
    proc, url, start_s = start_app(index_dir)
    try:
        rows = [hammer(url, n, per_worker, texts) for n in levels]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(table(
        f"Concurrency through the app API ({per_worker} questions per asker); app start to first answer {start_s} s",
        ["askers", "requests", "errors", "req/s", "p50 ms", "p95 ms", "max ms"],
        [[r["workers"], r["requests"], r["errors"], r["throughput_rps"], r["latency_ms"]["p50"], r["latency_ms"]["p95"], r["latency_ms"]["max"]] for r in rows],
    ))
    result = {"app_start_to_first_answer_s": start_s, "levels": rows}
    write("concurrency", result, out)
    return result
