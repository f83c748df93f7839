"""SIGTERM and SIGHUP stop a build as Ctrl-C does, with one line; LibreOffice and the chart workers leave no process
behind, and no temporary file is left."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from deck_helpers import SAMPLE_ARGS, SAMPLES, run, screen


def build_process(
    tmp_path: Path, out: Path, *args: str, controlling: bool = False, hangup: object = signal.SIG_DFL
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """`deckgen build` on the samples in a terminal (so it says what it does), with a temporary folder of its own.

    controlling: the terminal is the build's own, as in a shell: a Ctrl-C typed into it interrupts the build,
    closing it hangs the build up. hangup: what the build inherits for SIGHUP (`nohup` ignores it).
    """
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    terminal, stderr = pty.openpty()
    command = [sys.executable, "-m", "deckgen", "build", *SAMPLE_ARGS, "-o", str(out), *args]
    env = {**os.environ, "TMPDIR": str(temporary), "DECKGEN_TEST_RUN": str(tmp_path)}

    def own_terminal() -> None:  # in the child, a session leader by then (start_new_session)
        if controlling:
            fcntl.ioctl(stderr, termios.TIOCSCTTY, 0)
        signal.signal(signal.SIGHUP, hangup)  # type: ignore[arg-type]

    process = subprocess.Popen(
        command,
        stdin=stderr if controlling else None,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
        env=env,
        preexec_fn=own_terminal,
    )
    os.close(stderr)
    return process, terminal, temporary


def left_running(tmp_path: Path) -> list[str]:
    """Processes this build started that still run (chart workers, LibreOffice): they carry its environment."""
    mark = f"DECKGEN_TEST_RUN={tmp_path}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and mark in (entry / "environ").read_bytes() and alive(int(entry.name)):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def read_until(terminal: int, marker: bytes) -> bytes:
    said, deadline = b"", time.monotonic() + 60
    while marker not in said and time.monotonic() < deadline:
        if select.select([terminal], [], [], 0.5)[0]:
            try:
                said += os.read(terminal, 4096)
            except OSError:  # the build has ended (and closed the terminal): the test says what it said
                break
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


@pytest.mark.parametrize(
    ("stop", "line"), [(signal.SIGTERM, "Terminated."), (signal.SIGHUP, "Hangup."), (signal.SIGINT, "Interrupted.")]
)
@pytest.mark.parametrize("whole_group", [False, True])
def test_a_stop_signal_while_drawing_stops_with_one_line_and_leaves_nothing(
    tmp_path: Path, whole_group: bool, stop: int, line: str
) -> None:
    out = tmp_path / "decks" / "deck.pptx"
    process, terminal, temporary = build_process(tmp_path, out)
    said = read_until(terminal, b"drawing")
    (os.killpg if whole_group else os.kill)(process.pid, stop)
    process.communicate(timeout=60)
    said += read_rest(terminal)
    lines = screen(said)
    assert process.returncode == 128 + stop, lines
    # exactly one line after the progress, and no blank one before it
    assert [line for line in lines if not line.startswith("…")] == [line], lines
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    assert list(temporary.iterdir()) == []
    assert wait_gone(tmp_path) == []


def wait_gone(tmp_path: Path) -> list[str]:
    deadline = time.monotonic() + 5
    while (running := left_running(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return running


def test_ctrl_c_typed_in_the_terminal_shows_one_line(tmp_path: Path) -> None:
    """A real Ctrl-C: the terminal echoes "^C" and interrupts the build; the screen then shows "Interrupted."
    alone on its line (not "^C", not a blank line)."""
    out = tmp_path / "deck.pptx"
    process, terminal, temporary = build_process(tmp_path, out, controlling=True)
    said = read_until(terminal, b"drawing")
    os.write(terminal, b"\x03")
    process.communicate(timeout=60)
    said += read_rest(terminal)
    lines = screen(said)
    assert process.returncode == 128 + signal.SIGINT, lines
    assert lines[-1] == "Interrupted." and not [line for line in lines[:-1] if not line.startswith("…")], lines
    assert not out.exists() and list(temporary.iterdir()) == []
    assert wait_gone(tmp_path) == []


def test_ctrl_c_during_build_by_keeps_the_progress_line_and_says_one_line(tmp_path: Path) -> None:
    """`build --by` rewrites one progress line: a Ctrl-C typed then leaves it as it was (how far the decks got,
    without the terminal's "^C"), and "Interrupted." on the next line, no blank line between."""
    out = tmp_path / "decks"
    process, terminal, temporary = build_process(tmp_path, out, "--by", "team", controlling=True)
    said = read_until(terminal, b" decks (")
    os.write(terminal, b"\x03")
    process.communicate(timeout=60)
    said += read_rest(terminal)
    lines = screen(said)
    assert process.returncode == 128 + signal.SIGINT, lines
    assert re.fullmatch(r"… [1-3]/4 decks \([^)^]+\)", lines[-2]) and lines[-1] == "Interrupted.", lines
    assert not [line for line in lines[:-1] if not line.startswith("…")], lines
    assert list(temporary.iterdir()) == [] and not [p for p in out.iterdir() if p.name.startswith(".")]
    assert wait_gone(tmp_path) == []


def test_closing_the_terminal_stops_the_build_and_leaves_nothing(tmp_path: Path) -> None:
    """The terminal closed mid-build: the kernel hangs the build up (SIGHUP); the terminal is gone, so nothing
    can be said, but the exit code tells, and nothing is left behind."""
    out = tmp_path / "deck.pptx"
    process, terminal, temporary = build_process(tmp_path, out, controlling=True)
    read_until(terminal, b"drawing")
    os.close(terminal)
    process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGHUP
    assert not out.exists() and list(temporary.iterdir()) == []
    assert wait_gone(tmp_path) == []


def test_a_hangup_ignored_as_by_nohup_does_not_stop_the_build(tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    process, terminal, _ = build_process(tmp_path, out, hangup=signal.SIG_IGN)
    read_until(terminal, b"drawing")
    os.kill(process.pid, signal.SIGHUP)
    process.communicate(timeout=120)
    said = read_rest(terminal)
    assert process.returncode == 0, said
    assert out.is_file()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_stop_while_the_pdf_is_made_stops_libreoffice_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "decks" / "deck.pptx"
    process, terminal, temporary = build_process(tmp_path, out, "--pdf")
    said = read_until(terminal, b"converting to PDF")
    time.sleep(0.5)  # LibreOffice has started and written its own temporary files
    os.kill(process.pid, signal.SIGHUP)
    process.communicate(timeout=60)
    said += read_rest(terminal)
    assert process.returncode == 128 + signal.SIGHUP, said
    assert [line for line in screen(said) if not line.startswith("…")] == ["Hangup."]
    assert list(out.parent.iterdir()) == [out]  # the deck was complete before the PDF began
    assert list(temporary.iterdir()) == []
    assert wait_gone(tmp_path) == []


def test_a_stop_while_libreoffice_starts_takes_effect_once_it_is_known() -> None:
    """Starting LibreOffice is not cut in the middle (its process would be left with nobody to stop it): the
    signal is handled, as it would have been, right after."""
    from deckgen.deck.pdf import _stops_held

    reached = []
    with pytest.raises(KeyboardInterrupt), _stops_held():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        reached.append("started")
    assert reached == ["started"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


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


def test_a_main_process_mark_inherited_from_another_process_is_not_taken_for_this_one(tmp_path: Path) -> None:
    """A program that used deckgen as a library (and so marked itself as deckgen's main process in its
    environment), then runs `deckgen build --by` in a session of its own: the build stays deckgen's main
    process (it failed with an internal error: a session leader cannot move to a process group of its own)."""
    out = tmp_path / "decks"
    command = [sys.executable, "-m", "deckgen", "build", *SAMPLE_ARGS, "--by", "team", "-o", str(out), "-q"]
    env = {**os.environ, "DECKGEN_MAIN_PID": str(os.getpid())}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, start_new_session=True, env=env)
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*.pptx"))) == 4


def test_a_hangup_while_history_add_stores_weeks_leaves_no_temporary_file(tmp_path: Path) -> None:
    """Not only `build`: `history add` stopped by SIGHUP after its first week says one line, exits 129, and
    leaves the store with the weeks added so far and nothing beside it."""
    store = tmp_path / "history.duckdb"
    weeks = sorted((SAMPLES / "weeks").glob("pipeline-*.csv"))
    command = [sys.executable, "-m", "deckgen", "history", "add", str(store), *map(str, weeks)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=os.environ.copy()
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    os.kill(process.pid, signal.SIGHUP)
    rest, err = process.communicate(timeout=60)
    assert b"added" in first
    assert process.returncode == 128 + signal.SIGHUP, err
    assert err.decode().splitlines() == ["Hangup."]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.duckdb"]
    listed = subprocess.run(
        [sys.executable, "-m", "deckgen", "history", "list", str(store)], capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 1 + 1 + rest.count(b"added"), listed
