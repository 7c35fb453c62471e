"""Deterministic fakes for fast tests: an in-memory index store implementing the store Protocol.

Pair it with :class:`ingest.embedding.HashEmbedder`. Real stores (Chroma on disk, a Chroma
server) have their own tests, marked slow.
"""

from __future__ import annotations

from ingest.errors import IndexError_
from ingest.index_data import IndexData
from ingest.stores.exact import ExactSearch


class MemoryStore:
    """A :class:`ingest.stores.base.BuildStore` in a dict; ``damaged`` maps build ids to the problems verify reports."""

    def __init__(self) -> None:
        self.builds: dict[str, IndexData] = {}
        self.current: str | None = None
        self.damaged: dict[str, list[str]] = {}
        self.writes: list[tuple[str, str | None]] = []  # (build id, base build id) per write_build

    def current_build_id(self) -> str | None:
        return self.current

    def set_current(self, build_id: str) -> None:
        if build_id not in self.builds:
            raise KeyError(build_id)
        self.current = build_id

    def write_build(self, data: IndexData, base: IndexData | None = None) -> list[str]:
        if data.header_vectors is None or len(data.header_vectors) != len(data.chunks):
            raise ValueError("a build needs one heading vector per chunk")
        problems = list(self.damaged.get(base.build_id, [])) if base is not None else []
        self.builds[data.build_id] = data
        self.writes.append((data.build_id, base.build_id if base is not None and not problems else None))
        return problems

    def load_build(self, build_id: str) -> IndexData:
        if build_id not in self.builds:
            raise IndexError_(f"no build {build_id}; run: python -m ingest")
        return self.builds[build_id]

    def open_search(self, index: IndexData) -> ExactSearch:
        if self.damaged.get(index.build_id):
            raise IndexError_(f"build {index.build_id} is damaged; run: python -m ingest")
        return ExactSearch(index)

    def verify_build(self, index: IndexData) -> list[str]:
        return list(self.damaged.get(index.build_id, []))

    def remove_build(self, build_id: str) -> None:
        self.builds.pop(build_id, None)

    def prune(self, keep: int) -> list[str]:
        doomed = [b for b in sorted(self.builds)[: max(0, len(self.builds) - keep)] if b != self.current]
        for build_id in doomed:
            self.remove_build(build_id)
        return doomed

    def close(self) -> None:
        pass
