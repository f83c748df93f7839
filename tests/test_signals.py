"""SIGTERM stops a build as Ctrl-C does, LibreOffice leaves no process behind, and no temporary folder is left."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from deck_helpers import SAMPLE_ARGS, run


def build_process(tmp_path: Path, out: Path, *args: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    """`deckgen build` on the samples in a terminal (so it says what it does), with a temporary folder of its own."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    terminal, stderr = pty.openpty()
    command = [sys.executable, "-m", "deckgen", "build", *SAMPLE_ARGS, "-o", str(out), *args]
    env = {**os.environ, "TMPDIR": str(temporary)}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, start_new_session=True, env=env)
    os.close(stderr)
    return process, terminal, temporary


def read_until(terminal: int, marker: bytes) -> bytes:
    said, deadline = b"", time.monotonic() + 60
    while marker not in said and time.monotonic() < deadline:
        if select.select([terminal], [], [], 0.5)[0]:
            said += os.read(terminal, 4096)
    return said


def read_rest(terminal: int) -> bytes:
    said = b""
    while True:
        try:
            more = os.read(terminal, 4096)
        except OSError:  # the other end is closed
            break
        if not more:
            break
        said += more
    os.close(terminal)
    return said


@pytest.mark.parametrize("whole_group", [False, True])
def test_sigterm_while_drawing_stops_with_one_line_and_leaves_nothing(tmp_path: Path, whole_group: bool) -> None:
    out = tmp_path / "decks" / "deck.pptx"
    process, terminal, temporary = build_process(tmp_path, out)
    said = read_until(terminal, b"drawing")
    (os.killpg if whole_group else os.kill)(process.pid, signal.SIGTERM)
    process.communicate(timeout=60)
    said += read_rest(terminal)
    lines = [line.strip() for line in said.decode().splitlines() if line.strip()]
    assert process.returncode == 128 + signal.SIGTERM, lines
    assert [line for line in lines if not line.startswith("…")] == ["Terminated."]
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    assert list(temporary.iterdir()) == []


def test_a_build_leaves_no_temporary_folder(tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    process, terminal, temporary = build_process(tmp_path, out)
    process.communicate(timeout=120)
    said = read_rest(terminal)
    assert process.returncode == 0, said
    assert out.is_file()
    assert list(temporary.iterdir()) == []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent has yet to collect it


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_libreoffice_timing_out_leaves_no_process_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from deckgen.deck import pdf

    pids = tmp_path / "pids"
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    # like LibreOffice: a launcher whose real work runs in a child process
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $$ $! > {pids}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1)
    out = tmp_path / "out" / "deck.pptx"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(out), "--pdf", "--jobs", "1")
    assert (code, err.strip()) == (2, f"Error: {out} was written, but LibreOffice did not finish the PDF in 1 s")
    launcher, child = map(int, pids.read_text().split())
    deadline = time.monotonic() + 5
    while (alive(launcher) or alive(child)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(launcher) and not alive(child)


STUCK_WORKER = """
import ctypes, os, sys, time
from deckgen.batch import _workers

def stuck(ready):
    # A worker blocked in C (a mutex locked twice): a Python signal handler would never get to run.
    mutex = ctypes.create_string_buffer(64)
    pthread = ctypes.CDLL(None)
    open(ready, "w").close()
    pthread.pthread_mutex_lock(mutex)
    pthread.pthread_mutex_lock(mutex)

if __name__ == "__main__":
    ready = sys.argv[1]
    try:
        with _workers(2) as pool:
            pool.apply_async(stuck, (ready,))
            while not os.path.exists(ready):
                time.sleep(0.05)
            time.sleep(0.2)
            raise KeyboardInterrupt  # as Ctrl-C or SIGTERM in the main process: the pool is terminated
    except KeyboardInterrupt:
        print("stopped")
"""


def test_stopping_the_workers_does_not_wait_for_one_blocked_in_a_lock(tmp_path: Path) -> None:
    """An interrupted build terminates its worker pool; a worker blocked where no Python handler runs still dies,
    so the build ends instead of waiting for it forever."""
    script = tmp_path / "stuck.py"
    script.write_text(STUCK_WORKER)
    command = [sys.executable, str(script), str(tmp_path / "ready")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        for line in subprocess.run(["pgrep", "-f", str(script)], capture_output=True, text=True).stdout.split():
            os.kill(int(line), signal.SIGKILL)
        process.communicate()
        pytest.fail("the pool's join waited for a worker that ignored its SIGTERM")
    assert (process.returncode, stdout.decode(), stderr.decode()) == (0, "stopped\n", "")
