"""PDF through LibreOffice headless: its own profile, a time limit, and an atomic move into place.

A deck with Korean text goes through OpenDocument first: LibreOffice puts a quarter-em space wherever Hangul meets
a Latin letter or a digit ("14 건", "$500K 에") and reads no PPTX property that turns this off, so the ODP it
writes gets `style:text-autospace="none"` on every paragraph style before the PDF is made from it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from deckgen.atomic import replacing
from deckgen.errors import DeckgenError, option

TIMEOUT_SECONDS = 240
HANGUL = re.compile("[\uac00-\ud7a3]".encode())
# What stops deckgen: Ctrl-C, and SIGTERM and SIGHUP as the command line handles them (SIGHUP: not on Windows).
STOP_SIGNALS: list[signal.Signals] = [signal.SIGINT, signal.SIGTERM]
if hasattr(signal, "SIGHUP"):
    STOP_SIGNALS.append(signal.SIGHUP)
_PARAGRAPH = re.compile(r"<style:paragraph-properties(?![^>]*style:text-autospace)")


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(pptx: Path, pdf: Path | None = None) -> Path:
    """Write the PDF beside the deck (or at `pdf`); raise DeckgenError saying what is missing or what failed."""
    soffice = find_soffice()
    target = pdf or pptx.with_suffix(".pdf")
    if soffice is None:
        raise DeckgenError(
            f"{pptx} was written, but no PDF: LibreOffice is not installed "
            f"(install it, e.g. `apt-get install libreoffice-impress`, or leave out {option('pdf')})"
        )
    with tempfile.TemporaryDirectory(prefix="deckgen-pdf-") as work:
        # Each run gets its own profile: concurrent soffice runs sharing one hang or fail.
        profile = Path(work, "profile").as_uri()
        source = pptx
        if has_hangul(pptx):
            odp = _convert(soffice, profile, pptx, "odp", Path(work, "odp"), pptx)
            source = without_autospace(odp, Path(work, "plain") / odp.name)
        produced = _convert(soffice, profile, source, "pdf", Path(work, "pdf"), pptx)
        with replacing(target) as temporary:
            shutil.copyfile(produced, temporary)
    return target


def has_hangul(pptx: Path) -> bool:
    """Whether any slide of the deck holds Korean text."""
    with zipfile.ZipFile(pptx) as archive:
        return any(
            HANGUL.search(archive.read(name))
            for name in archive.namelist()
            if name.startswith("ppt/slides/slide") and name.endswith(".xml")
        )


def without_autospace(odp: Path, out: Path) -> Path:
    """A copy of the ODP whose paragraphs add no space between Asian and Latin text (style:text-autospace)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(odp) as source, zipfile.ZipFile(out, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in ("content.xml", "styles.xml"):
                text = data.decode("utf-8").replace(
                    'style:text-autospace="ideograph-alpha"', 'style:text-autospace="none"'
                )
                data = _PARAGRAPH.sub('<style:paragraph-properties style:text-autospace="none"', text).encode("utf-8")
            # The mimetype entry stays first and stored, as OpenDocument requires.
            kind = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            copy.writestr(item, data, compress_type=kind)
    return out


def _convert(soffice: str, profile: str, source: Path, kind: str, folder: Path, deck: Path) -> Path:
    """`source` converted by LibreOffice to `kind` (pdf, odp) in `folder`; errors name the `deck`."""
    command = [
        soffice,
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile}",
        "--convert-to",
        kind,
        "--outdir",
        str(folder),
        str(source),
    ]
    # In a session of its own: on a timeout or an interrupt, LibreOffice and every process it started are
    # stopped together (soffice runs its real work in a child, which would otherwise outlive it). Its own
    # temporary files go to the work folder, which is removed whatever happens (killed, it leaves them).
    env = {**os.environ, "TMPDIR": str(folder.parent)}
    process = None
    try:
        with _stops_held():
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env
            )
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        _stop(cast("subprocess.Popen[str]", process))
        raise DeckgenError(
            f"{deck} was written, but LibreOffice did not finish the PDF in {TIMEOUT_SECONDS} s"
        ) from None
    except BaseException:
        if process is not None:
            _stop(process)
        raise
    produced = folder / source.with_suffix(f".{kind}").name
    if process.returncode != 0 or not produced.is_file():
        detail = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
        raise DeckgenError(f"{deck} was written, but LibreOffice could not make the PDF ({detail[0]})")
    return produced


@contextmanager
def _stops_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP wait while LibreOffice is started, and take effect once its process is known:
    raised in the middle of starting it, they would leave it running with nobody to stop it. Only the main
    thread handles signals; elsewhere, as is."""
    arrived: list[int] = []
    held: dict[signal.Signals, Any] = {}
    try:
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) not in (signal.SIG_IGN, None):
                held[signum] = signal.signal(signum, lambda got, _frame: arrived.append(got))
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)
        for got in dict.fromkeys(arrived):
            signal.raise_signal(got)  # now handled as it would have been


def _stop(process: subprocess.Popen[str]) -> None:
    """Kill the process group LibreOffice leads (it and its children), then reap it. Not yet reaped, its
    process id still names that group and no other."""
    with contextlib.suppress(ProcessLookupError):  # the whole group has ended already
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
