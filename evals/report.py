"""A readable report (Markdown) and a bar chart of accuracy by tag (PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evals.runner import RunOutput

COLUMNS = ("n", "answer_accuracy", "citation_accuracy", "refusal_rate", "false_refusal_rate", "hit@1", "mrr", "latency_p50_ms")


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


def write_report(out_dir: Path, output: "RunOutput", k: int) -> None:
    m = output.metrics
    lines = ["# Evaluation report", "", "## Overall", ""]
    lines += ["| metric | value |", "|---|---|"]
    for key, value in m.items():
        if key != "by":
            lines.append(f"| {key} | {_cell(value)} |")
    for key, title in (("lang", "Language"), ("persona", "Persona"), ("municipality", "Municipality"), ("tag", "Tag")):
        lines += ["", f"## By {title.lower()}", ""] + _table(m["by"][key], title.lower())
    misses = [r for r in output.scored if (r["answerable"] and not r["answer_ok"]) or (not r["answerable"] and not r["abstained"])]
    lines += ["", f"## Misses ({len(misses)})", ""]
    for r in misses:
        why = "answered an unanswerable question" if not r["answerable"] else ("refused" if r["abstained"] else f"missing {r['missing']}")
        lines += [f"### {r['id']} – {why}", "", f"**Q:** {r['question']}", "", f"**A:** {r['answer']}", "", f"retrieved: {r['retrieved']}", ""]
    lines += ["", "![accuracy by tag](accuracy_by_tag.png)", ""]
    (out_dir / "report.md").write_text("\n".join(lines), encoding="utf-8")
    _plot(out_dir / "accuracy_by_tag.png", m["by"]["tag"])


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
