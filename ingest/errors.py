"""Errors that name the file and the problem, for messages people can act on."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A problem with one input file (or the manifest) that stops an ingest."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class IndexError_(Exception):
    """The index is missing, corrupt or built with another embedder."""


class LockedError(Exception):
    """Another ingest holds the lock."""
