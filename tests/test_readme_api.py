"""The README's "Python API" section runs as written: every ```python block, in order, in a fresh folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation

import deckgen

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Python API"


def python_blocks() -> list[str]:
    """The ```python blocks of the README's Python API section (up to the next `## ` heading)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + len(SECTION) + 1)
    section = text[start : end if end != -1 else len(text)]
    return re.findall(r"^```python\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)


def test_the_section_reads_changes_and_builds() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 3
    code = "\n".join(blocks)
    for name in ("load_settings", "read_export", "review", "replace(", "build_deck", "DeckOptions"):
        assert name in code


def test_every_python_block_runs_and_writes_a_deck_that_reopens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "samples", tmp_path / "samples", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "readme"}
    for number, block in enumerate(python_blocks(), start=1):
        exec(compile(block, f"README.md, Python API block {number}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "FY2026 Q4" in printed and "chance of the goal" in printed
    decks = [value for value in namespace.values() if isinstance(value, deckgen.BuiltDeck)]
    assert decks, "the examples build no deck"
    for deck in decks:
        path = tmp_path / deck.pptx
        assert path.is_file()
        assert len(Presentation(str(path)).slides) == deck.slides > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["samples", *(d.pptx.name for d in decks)])


def test_the_public_names_are_typed_and_importable() -> None:
    assert sorted(deckgen.__all__) == sorted(set(deckgen.__all__))
    for name in deckgen.__all__:
        assert getattr(deckgen, name) is not None, name
    assert (Path(deckgen.__file__).parent / "py.typed").is_file()
    with pytest.raises(AttributeError):
        deckgen.nothing_here  # noqa: B018
