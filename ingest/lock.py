"""One ingest at a time: a lock file holding the owner's pid.

A lock left by a process that no longer exists (killed mid-build) is stale and
is cleared with a note, so the next ingest repairs things by itself.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import LockedError

log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """Hold the ingest lock for the duration of the block."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / "ingest.lock"
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(path.read_text().strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid):
                raise LockedError(
                    f"another ingest (pid {pid}) is running on {index_dir}; wait for it to finish "
                    f"(or remove {path} if you are sure it is not running)"
                ) from None
            log.warning("clearing a stale ingest lock left by pid %s", pid or "?")
            path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        break
    else:  # pragma: no cover - two stale locks in a row means a race we lost
        raise LockedError(f"could not take the ingest lock {path}")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
