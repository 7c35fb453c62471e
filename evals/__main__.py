"""``python -m evals run --qa FILE --out DIR [--k 5] [floors…]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a QA set and write results, metrics and a report")
    run.add_argument("--qa", type=Path, default=Path("evals/qa.jsonl"))
    run.add_argument("--out", type=Path, default=Path("evals/out"))
    run.add_argument("--k", type=int, default=5)
    run.add_argument("--pass-municipality", action="store_true", help="pass each question's municipality to ask()")
    run.add_argument("--index", type=Path, help="index folder (default: settings)")
    run.add_argument("--min-answer", type=float)
    run.add_argument("--min-citation", type=float)
    run.add_argument("--min-refusal", type=float)
    run.add_argument("--max-false-refusal", type=float)
    tune = sub.add_parser("tune", help="grid-search fusion and composer settings on a QA set")
    tune.add_argument("--qa", type=Path, default=Path("evals/qa.jsonl"))
    tune.add_argument("--index", type=Path)
    tune.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from assistant import Assistant
    from evals.runner import QAError, load_qa, run as run_qa, summary_line, write_outputs
    from ingest.settings import load_settings

    if args.command == "tune":
        from evals.tune import tune as run_tune

        settings = load_settings(**({"index_dir": args.index} if args.index else {}))
        rows = run_tune(Assistant.from_settings(settings), load_qa(args.qa))
        keys = list(rows[0])
        print("  ".join(keys))
        for row in rows[: args.top]:
            print("  ".join(f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k]) for k in keys))
        return 0
    try:
        items = load_qa(args.qa)
    except (QAError, OSError) as exc:
        print(f"cannot read the QA set: {exc}", file=sys.stderr)
        return 2
    settings = load_settings(**({"index_dir": args.index} if args.index else {}))
    assistant = Assistant.from_settings(settings)
    output = run_qa(assistant, items, k=args.k, pass_municipality=args.pass_municipality)
    write_outputs(args.out, output, args.k)
    m = output.metrics
    print(summary_line(m, args.k))
    failures = []
    checks = [
        ("answer accuracy", m["answer_accuracy"], args.min_answer, "min"),
        ("citation accuracy", m["citation_accuracy"], args.min_citation, "min"),
        ("refusal rate", m["refusal_rate"], args.min_refusal, "min"),
        ("false refusal rate", m["false_refusal_rate"], args.max_false_refusal, "max"),
    ]
    for name, value, floor, kind in checks:
        if floor is None or value is None:
            continue
        if (kind == "min" and value < floor) or (kind == "max" and value > floor):
            failures.append(f"{name} {value:.3f} {'<' if kind == 'min' else '>'} {floor}")
    if failures:
        print("FLOOR MISSED: " + "; ".join(failures), file=sys.stderr)
        return 1
    print(f"report: {args.out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
