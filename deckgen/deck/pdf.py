"""PDF through LibreOffice headless: its own profile, a time limit, and an atomic move into place."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from deckgen.atomic import replacing
from deckgen.errors import DeckgenError, option

TIMEOUT_SECONDS = 240


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
        command = [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            work,
            str(pptx),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise DeckgenError(
                f"{pptx} was written, but LibreOffice did not finish the PDF in {TIMEOUT_SECONDS} s"
            ) from None
        produced = Path(work, pptx.with_suffix(".pdf").name)
        if result.returncode != 0 or not produced.is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise DeckgenError(f"{pptx} was written, but LibreOffice could not make the PDF ({detail[0]})")
        with replacing(target) as temporary:
            shutil.copyfile(produced, temporary)
    return target
