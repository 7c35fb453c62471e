"""What an ingest did, for the closing summary, ``--json`` and tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IngestReport:
    """Counts and document ids by what happened to them."""

    build_id: str | None = None
    documents: int = 0
    chunks: int = 0
    units: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # metadata only (title, municipality…): nothing re-embedded
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # what was wrong with the current build and what was done
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    embedded: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        """Nothing to write: skipped files alone do not make a new build."""
        return not (self.new or self.changed or self.updated or self.removed or self.repaired)

    def summary(self) -> str:
        lines = [
            f"documents: {self.documents}  chunks: {self.chunks}  units: {self.units}",
            f"new: {len(self.new)}  changed: {len(self.changed)}  metadata updated: {len(self.updated)}  "
            f"removed: {len(self.removed)}  unchanged: {len(self.unchanged)}",
            f"embedded: {self.embedded} texts  time: {sum(self.seconds.values()):.1f} s "
            + "(" + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()) + ")",
        ]
        if self.up_to_date:
            lines.insert(0, "Index is up to date: nothing to embed.")
        else:
            lines.insert(0, f"Built index {self.build_id}.")
        lines.extend(f"repaired: {problem}" for problem in self.repaired)
        lines.extend(f"skipped {path}: {problem}" for path, problem in self.skipped)
        return "\n".join(lines)
