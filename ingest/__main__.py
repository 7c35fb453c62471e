"""``python -m ingest [PATHS…] [--rebuild] [--index DIR] [--skip-bad]``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from ingest.errors import IndexError_, IngestError, LockedError
from ingest.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Build or update the plan index.")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders to add or update (default: the whole corpus folder; only then are removed plans dropped)")
    parser.add_argument("--rebuild", action="store_true", help="re-embed everything instead of reusing vectors")
    parser.add_argument("--index", type=Path, help="index folder (default: FA_INDEX_DIR or .index/)")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: FA_CORPUS_DIR or corpus/)")
    parser.add_argument("--skip-bad", action="store_true", help="skip unreadable files and list them instead of stopping")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON (for scripts and the benchmark)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    overrides = {}
    if args.index:
        overrides["index_dir"] = args.index
    if args.corpus:
        overrides["corpus_dir"] = args.corpus
    settings = load_settings(**overrides)

    from assistant.bm25_cache import preparer  # the assistant's BM25 tokens, saved before the build goes live
    from ingest.pipeline import run_ingest

    bars: dict[str, object] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if args.quiet:
            return
        from tqdm import tqdm

        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="doc" if stage == "documents" else "text", file=sys.stderr)
        bar.n = done  # type: ignore[attr-defined]
        bar.refresh()  # type: ignore[attr-defined]

    try:
        report = run_ingest(settings, args.paths or None, rebuild=args.rebuild, skip_bad=args.skip_bad, progress=progress,
                            prepare=preparer(settings.index_dir))
    except (IngestError, LockedError, IndexError_) as exc:
        print(f"ingest failed: {exc}\nThe previous index (if any) is unchanged.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ingest interrupted; the previous index (if any) is unchanged.", file=sys.stderr)
        return 130
    finally:
        for bar in bars.values():
            bar.close()  # type: ignore[attr-defined]
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        import dataclasses
        import json

        print(json.dumps(dataclasses.asdict(report), ensure_ascii=False))
    else:
        print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
