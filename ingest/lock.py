"""One ingest at a time per index folder: an OS file lock (``flock``) through ``filelock``.

The kernel holds the lock for the process that took it and drops it when that
process exits or is killed, so there is no stale lock to clear and no window
in which two ingests both think they hold it. The lock file itself stays; its
presence means nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ingest.errors import LockedError

LOCK_NAME = "ingest.lock"


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """Hold the ingest lock for the block; raise LockedError at once if another process holds it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockedError(f"another ingest is running on {index_dir} (it holds the lock on {path}); wait for it to finish") from None
    try:
        yield
    finally:
        lock.release()
