"""Evaluation commands.

    python -m evals run --qa FILE --out DIR [--corpus DIR --index DIR] [--k 5] [floors…]
    python -m evals all [--sets evals/sets.toml] [--only dev,test,ood] [--out evals/out]
    python -m evals tune --qa FILE

``run`` scores one set; with ``--corpus`` it first brings an index of that corpus up to date
in ``--index`` (for a set that is not about the plans, like NorQuAD). ``all`` runs every set
named in ``evals/sets.toml`` against its own index, writes ``report.md`` with them side by
side, and exits 1 when a floor in that file is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

FLOOR_KEYS = {  # floor name in sets.toml → (metric, kind)
    "min_answer": ("answer_accuracy", "min"),
    "min_citation": ("citation_accuracy", "min"),
    "min_refusal": ("refusal_rate", "min"),
    "max_false_refusal": ("false_refusal_rate", "max"),
    "min_pointer": ("pointer_rate", "min"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a QA set and write results, metrics and a report")
    run.add_argument("--qa", type=Path, default=Path("evals/qa.jsonl"))
    run.add_argument("--out", type=Path, default=Path("evals/out"))
    run.add_argument("--k", type=int, default=5)
    run.add_argument("--pass-municipality", action="store_true", help="pass each question's municipality to ask()")
    run.add_argument("--index", type=Path, help="index folder (default: settings)")
    run.add_argument("--corpus", type=Path, help="corpus folder to index into --index before running")
    for name in FLOOR_KEYS:
        run.add_argument(f"--{name.replace('_', '-')}", type=float, dest=name)
    every = sub.add_parser("all", help="run dev, test and out-of-domain sets; side-by-side report; floors")
    every.add_argument("--sets", type=Path, default=Path("evals/sets.toml"))
    every.add_argument("--only", help="comma-separated set names (default: all in the file)")
    every.add_argument("--out", type=Path, default=Path("evals/out"))
    tune = sub.add_parser("tune", help="grid-search fusion and composer settings on a QA set (a copy; nothing is changed)")
    tune.add_argument("--qa", type=Path, default=Path("evals/qa.jsonl"))
    tune.add_argument("--index", type=Path)
    tune.add_argument("--top", type=int, default=10)
    return parser


def _assistant(index: Path | None, corpus: Path | None) -> Any:
    """An Assistant over ``index`` (settings' default when None), built from ``corpus`` first if given."""
    from assistant import Assistant
    from ingest.settings import load_settings

    overrides: dict[str, Any] = {}
    if index:
        overrides["index_dir"] = index
    if corpus:
        from assistant.bm25_cache import preparer
        from ingest.pipeline import run_ingest

        overrides["corpus_dir"] = corpus
        settings = load_settings(**overrides)
        report = run_ingest(settings, prepare=preparer(settings.index_dir))
        print(f"index {settings.index_dir}: {report.documents} documents, {report.chunks} chunks" + ("" if report.up_to_date else " (rebuilt)"), file=sys.stderr)
    return Assistant.from_settings(load_settings(**overrides))


def _missed_floors(m: dict[str, Any], floors: dict[str, Any]) -> list[str]:
    failures = []
    for name, floor in floors.items():
        if name == "min_over_baselines":
            best = max(m.get("dense_top3_accuracy") or 0.0, m.get("bm25_top3_accuracy") or 0.0)
            if floor is not None and (m.get("answer_accuracy") or 0.0) < best + floor:
                failures.append(f"answer_accuracy {m.get('answer_accuracy')} < best plain baseline {best:.3f} + {floor}")
            continue
        if name == "tags":
            for tag, tag_floors in floor.items():
                failures += [f"[{tag}] {f}" for f in _missed_floors(m["by"]["tag"].get(tag, {}), tag_floors)]
            continue
        metric, kind = FLOOR_KEYS[name]
        value = m.get(metric)
        if floor is None:
            continue
        if value is None or (kind == "min" and value < floor) or (kind == "max" and value > floor):
            failures.append(f"{metric} {value if value is None else f'{value:.3f}'} {'<' if kind == 'min' else '>'} {floor}")
    return failures


def _run_one(args: argparse.Namespace) -> int:
    from evals.report import write_outputs
    from evals.runner import QAError, load_qa, run as run_qa, summary_line

    try:
        items = load_qa(args.qa)
    except (QAError, OSError) as exc:
        print(f"cannot read the QA set: {exc}", file=sys.stderr)
        return 2
    output = run_qa(_assistant(args.index, args.corpus), items, k=args.k, pass_municipality=args.pass_municipality)
    write_outputs(args.out, output, args.k)
    print(summary_line(output.metrics, args.k))
    failures = _missed_floors(output.metrics, {name: getattr(args, name) for name in FLOOR_KEYS})
    if failures:
        print("FLOOR MISSED: " + "; ".join(failures), file=sys.stderr)
        return 1
    print(f"report: {args.out / 'report.md'}")
    return 0


def _run_all(args: argparse.Namespace) -> int:
    from evals.report import write_comparison, write_outputs
    from evals.runner import load_qa, run as run_qa, summary_line

    config = tomllib.loads(args.sets.read_text(encoding="utf-8"))
    names = args.only.split(",") if args.only else list(config)
    base = args.sets.parent.parent  # paths in sets.toml are relative to the project root
    results: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    for name in names:
        spec = config[name]
        corpus = base / spec["corpus"] if "corpus" in spec else None
        index = base / spec["index"] if "index" in spec else None
        output = run_qa(_assistant(index, corpus), load_qa(base / spec["qa"]))
        write_outputs(args.out / name, output, 5)
        results[name] = output.metrics
        print(f"{name}: {summary_line(output.metrics, 5)}")
        failures += [f"{name}: {f}" for f in _missed_floors(output.metrics, spec.get("floors", {}))]
    write_comparison(args.out / "report.md", results)
    print(f"report: {args.out / 'report.md'}")
    if failures:
        print("FLOOR MISSED: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


def _tune(args: argparse.Namespace) -> int:
    from evals.runner import load_qa
    from evals.tune import tune as run_tune

    rows = run_tune(_assistant(args.index, None), load_qa(args.qa))
    keys = list(rows[0])
    print("  ".join(keys))
    for row in rows[: args.top]:
        print("  ".join(f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k]) for k in keys))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return {"run": _run_one, "all": _run_all, "tune": _tune}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
