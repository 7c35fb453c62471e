"""What a run leaves behind: results, metrics, a readable report and a chart; and the
side-by-side report of several sets (dev, test, out-of-domain)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.runner import RunOutput

COLUMNS = ("n", "answer_accuracy", "citation_accuracy", "refusal_rate", "false_refusal_rate", "pointer_rate", "hit@1", "mrr", "latency_p50_ms")
SIDE_BY_SIDE = ("answer_accuracy", "citation_accuracy", "refusal_rate", "false_refusal_rate", "refusal_help_rate", "pointer_rate",
                "dense_top3_accuracy", "bm25_top3_accuracy", "hit@1", "mrr", "answer_words_p50", "latency_p50_ms", "latency_p95_ms", "n")


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}" if value <= 1.0 else f"{value:.0f}"
    return str(value)


def _table(rows: dict[str, dict[str, Any]], label: str) -> list[str]:
    lines = [f"| {label} | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, m in rows.items():
        lines.append(f"| {name} | " + " | ".join(_cell(m.get(c)) for c in COLUMNS) + " |")
    return lines


def write_outputs(out_dir: Path, output: RunOutput, k: int) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as fh:
        for row in output.results:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(output.metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    write_report(out_dir, output, k)


def _why(r: dict[str, Any]) -> str:
    if not r["answerable"]:
        return "answered an unanswerable question" if not r["abstained"] else "refused without the pointer"
    return "refused" if r["abstained"] else f"missing {r['missing']}"


def misses(scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answerable questions answered wrong, unanswerable ones answered, refusals without their pointer."""
    return [r for r in scored if (r["answerable"] and not r["answer_ok"]) or (not r["answerable"] and not r["abstained"]) or r.get("pointer_ok") is False]


def write_report(out_dir: Path, output: RunOutput, k: int) -> None:
    m = output.metrics
    lines = ["# Evaluation report", "", "## Overall", ""]
    lines += ["| metric | value |", "|---|---|"]
    for key, value in m.items():
        if key != "by":
            lines.append(f"| {key} | {_cell(value)} |")
    for key, title in (("lang", "Language"), ("persona", "Persona"), ("municipality", "Municipality"), ("tag", "Tag")):
        lines += ["", f"## By {title.lower()}", ""] + _table(m["by"][key], title.lower())
    missed = misses(output.scored)
    lines += ["", f"## Misses ({len(missed)})", ""]
    for r in missed:
        history = "".join(f"> earlier: {h}\n" for h in r.get("history") or [])
        lines += [f"### {r['id']} – {_why(r)}", "", history + f"**Q:** {r['question']}", "", f"**A:** {r['answer']}", "", f"retrieved: {r['retrieved']}", ""]
    lines += ["", "![accuracy by tag](accuracy_by_tag.png)", ""]
    (out_dir / "report.md").write_text("\n".join(lines), encoding="utf-8")
    _plot(out_dir / "accuracy_by_tag.png", m["by"]["tag"])


def write_comparison(path: Path, runs: dict[str, dict[str, Any]]) -> None:
    """One table with every set side by side, then accuracy by tag per set."""
    names = list(runs)
    lines = ["# Evaluation: dev, test and out-of-domain side by side", "", "| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key in SIDE_BY_SIDE:
        lines.append(f"| {key} | " + " | ".join(_cell(runs[n].get(key)) for n in names) + " |")
    tags = sorted({t for n in names for t in runs[n]["by"]["tag"]})
    lines += ["", "## Answer accuracy by tag (refusal rate for unanswerable-only tags; n in brackets)", "",
              "| tag | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for tag in tags:
        cells = []
        for n in names:
            t = runs[n]["by"]["tag"].get(tag)
            value = None if t is None else (t["answer_accuracy"] if t["answerable"] else t["refusal_rate"])
            cells.append("" if t is None else f"{_cell(value)} ({t['n']})")
        lines.append(f"| {tag} | " + " | ".join(cells) + " |")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _plot(path: Path, by_tag: dict[str, dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names, values = [], []
    for tag, m in by_tag.items():
        value = m["answer_accuracy"] if m["answerable"] else m["refusal_rate"]
        if value is not None:
            names.append(f"{tag} ({m['n']})")
            values.append(value)
    fig, ax = plt.subplots(figsize=(8, max(3, 0.32 * len(names))))
    ax.barh(names, values, color="#3b6ea5")
    ax.set_xlim(0, 1)
    ax.set_xlabel("answer accuracy (refusal rate for unanswerable-only tags)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
