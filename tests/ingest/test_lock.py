"""One ingest at a time, held by the OS for the process that took it (issue 13): tested with real processes."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.errors import LockedError
from ingest.lock import ingest_lock

ROOT = Path(__file__).resolve().parents[2]
HOLD = (
    "import sys, time\n"
    f"sys.path.insert(0, {str(ROOT)!r})\n"
    "from pathlib import Path\n"
    "from ingest.lock import ingest_lock\n"
    "with ingest_lock(Path(sys.argv[1])):\n"
    "    print('locked', flush=True)\n"
    "    time.sleep(60)\n"
)
TRY = (
    "import sys\n"
    f"sys.path.insert(0, {str(ROOT)!r})\n"
    "from pathlib import Path\n"
    "from ingest.errors import LockedError\n"
    "from ingest.lock import ingest_lock\n"
    "try:\n"
    "    with ingest_lock(Path(sys.argv[1])):\n"
    "        print('acquired')\n"
    "except LockedError as exc:\n"
    "    print('refused:', exc)\n"
)


def hold(index_dir: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(index_dir)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def attempt(index_dir: Path) -> str:
    return subprocess.run([sys.executable, "-c", TRY, str(index_dir)], capture_output=True, text=True, timeout=60).stdout.strip()


@pytest.mark.slow
def test_a_second_process_is_refused_while_the_first_holds_the_lock_whatever_the_file_holds(tmp_path):
    (tmp_path / "ingest.lock").write_text("12345")  # a leftover file is not a lock
    assert attempt(tmp_path) == "acquired"
    holder = hold(tmp_path)
    try:
        for content in ("", "not a pid", "1"):  # "" is what a pid-file lock shows between create and write
            (tmp_path / "ingest.lock").write_text(content)
            out = attempt(tmp_path)
            assert out.startswith("refused:") and "another ingest" in out
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_the_lock_dies_with_a_killed_holder(tmp_path):
    holder = hold(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert attempt(tmp_path) == "acquired"


def test_a_second_ingest_in_the_same_process_is_refused(tmp_path):
    with ingest_lock(tmp_path):
        with pytest.raises(LockedError, match="another ingest"):
            with ingest_lock(tmp_path):
                pass
    with ingest_lock(tmp_path):  # released
        pass
