"""N simultaneous askers through the running app's API (Gradio's HTTP protocol, loopback only)."""

from __future__ import annotations

import json
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


def ask_over_http(client: Any, url: str, text: str, municipality: str = "Alle") -> dict[str, Any]:
    """One question through the app's ``/ask`` API with Gradio's documented HTTP protocol: POST
    ``gradio_api/call/ask`` for an event id, then read that event's server-sent events until it
    completes. Raises RuntimeError on an error event or a stream that ends without an answer.

    The bench's askers share the 2 cores with the app, so they must be light: gradio_client
    spent 57 ms of CPU per question on its side (more than the app's 41 ms), this ~5 ms."""
    posted = client.post(f"{url}gradio_api/call/ask", json={"data": [text, municipality, []]})
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    event = ""
    with client.stream("GET", f"{url}gradio_api/call/ask/{event_id}") as stream:
        stream.raise_for_status()
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = json.loads(line[5:]) if line[5:].strip() not in ("", "null") else None
                if event == "error":
                    raise RuntimeError(f"the app answered with an error: {data}")
                return data[0]
    raise RuntimeError("the answer stream ended without an answer")


def start_app(index_dir: str | None, timeout_s: float = 120, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, float]:
    """Start app.py on a free loopback port; return (process, url, seconds until the first API answer)."""
    import httpx

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
    with httpx.Client(timeout=30) as client:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("app exited during start-up")
            try:
                ask_over_http(client, url, "Kva er BTI?")
                return proc, url, round(time.perf_counter() - started, 2)
            except Exception:
                time.sleep(0.2)
    proc.kill()
    raise RuntimeError("app did not answer in time")


def hammer(url: str | list[str], workers: int, per_worker: int, texts: list[str], time_limit_s: float = 120,
           app_pids: list[int] | None = None) -> dict[str, Any]:
    """``workers`` threads, each with its own HTTP connection (spread over the given app URLs), ask ``per_worker``
    questions (bounded in count and time). With ``app_pids``, also the CPU time per question of the app processes
    and of this (asking) process, so a reader can see what the figure measures."""
    import httpx
    import psutil

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + time_limit_s

    urls = [url] if isinstance(url, str) else url

    def worker(n: int) -> None:
        target = urls[n % len(urls)]
        with httpx.Client(timeout=max(30.0, time_limit_s)) as client:
            for i in range(per_worker):
                if time.perf_counter() > deadline:
                    break
                text = texts[(n * per_worker + i) % len(texts)]
                t = time.perf_counter()
                try:
                    result: Any = ask_over_http(client, target, text)
                    ok = isinstance(result, dict) and "text" in result and not result.get("error")
                except Exception as exc:  # counted, not raised
                    ok, result = False, repr(exc)
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(str(result)[:200])

    def cpu(pids: list[int]) -> float:
        total = 0.0
        for pid in pids:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system + getattr(times, "children_user", 0.0) + getattr(times, "children_system", 0.0)
        return total

    apps, me = list(app_pids or []), [os.getpid()]
    app_cpu0, my_cpu0 = (cpu(apps), cpu(me)) if apps else (0.0, 0.0)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    result = {"workers": workers, "requests": len(latencies), "errors": len(errors), "error_samples": errors[:3],
              "throughput_rps": round(len(latencies) / wall, 2), "latency_ms": stats(latencies)}
    if apps and latencies:
        result["cpu_ms_per_question"] = {"app": round((cpu(apps) - app_cpu0) / len(latencies) * 1000, 1),
                                         "askers": round((cpu(me) - my_cpu0) / len(latencies) * 1000, 1)}
    return result


def run(levels: tuple[int, ...] = (1, 4, 16), per_worker: int = 10, out: Path | None = None, index_dir: str | None = None) -> dict[str, Any]:
    texts = [q["question"] for q in questions()]
    proc, url, start_s = start_app(index_dir)
    try:
        rows = [hammer(url, n, per_worker, texts, app_pids=[proc.pid]) for n in levels]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(table(
        f"Concurrency through the app API ({per_worker} questions per asker); app start to first answer {start_s} s",
        ["askers", "requests", "errors", "req/s", "p50 ms", "p95 ms", "max ms", "app CPU ms/q", "askers CPU ms/q"],
        [[r["workers"], r["requests"], r["errors"], r["throughput_rps"], r["latency_ms"]["p50"], r["latency_ms"]["p95"], r["latency_ms"]["max"],
          r.get("cpu_ms_per_question", {}).get("app", ""), r.get("cpu_ms_per_question", {}).get("askers", "")] for r in rows],
    ))
    result = {"app_start_to_first_answer_s": start_s, "levels": rows}
    write("concurrency", result, out)
    return result
