"""One measured step of the growth benchmark, in its own process so memory and load times are its own.

    python -m bench.growth_worker build INDEX CORPUS BACKEND CACHE_DIR   # ingest a synthetic corpus (replayed vectors)
    python -m bench.growth_worker probe INDEX BACKEND LIMIT           # load the assistant, time warm asks, report RSS

Prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any


def build(index: str, corpus: str, backend: str, cache: str) -> dict[str, Any]:
    from assistant.bm25_cache import preparer
    from bench.synthetic import ReplayEmbedder
    from ingest.embedding import make_embedder
    from ingest.pipeline import run_ingest
    from ingest.settings import load_settings

    settings = load_settings(index_dir=index, corpus_dir=corpus, embed_backend=backend)
    embedder = make_embedder(settings)
    Path(cache).mkdir(parents=True, exist_ok=True)
    replay = ReplayEmbedder(embedder, Path(cache) / f"replay-{re.sub(r'[^A-Za-z0-9]+', '-', embedder.name)}.npz")
    t0 = time.perf_counter()
    report = run_ingest(settings, embedder=replay, prepare=preparer(index))
    replay.save()
    return {"ingest_s": round(time.perf_counter() - t0, 1), "documents": report.documents, "chunks": report.chunks, "units": report.units,
            "stages_s": {k: round(v, 1) for k, v in report.seconds.items()}, "texts_embedded_for_real": replay.real_calls,
            "texts_replayed_from_a_near_text": replay.near_calls}


def probe(index: str, backend: str, limit: int) -> dict[str, Any]:
    import psutil

    from assistant import Assistant
    from bench.common import stats
    from bench.latency import questions
    from ingest.embedding import make_embedder
    from ingest.settings import load_settings

    settings = load_settings(index_dir=index, embed_backend=backend)
    embedder = make_embedder(settings)
    embedder.embed_query("oppvarming")
    t0 = time.perf_counter()
    assistant = Assistant(settings, embedder)
    load_s = time.perf_counter() - t0
    items = questions(limit or None)
    for item in items[:5]:
        assistant.ask(item["question"], history=item.get("history") or [])
    walls, stages = [], {}
    for item in items:
        t = time.perf_counter()
        answer = assistant.ask(item["question"], history=item.get("history") or [])
        walls.append((time.perf_counter() - t) * 1000)
        for stage, ms in answer.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    rss = psutil.Process().memory_info().rss
    return {"load_s": round(load_s, 2), "ask_ms": stats(walls), "per_stage_ms": {k: stats(v) for k, v in stages.items()},
            "rss_mb": round(rss / 2**20, 1), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    role, *args = argv
    result = build(*args) if role == "build" else probe(args[0], args[1], int(args[2]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
