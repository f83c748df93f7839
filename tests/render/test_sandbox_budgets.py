"""Slide text that would burn CPU or memory forever stops at a budget, in one line naming file, slide and field.

Each case is a template folder (the default template.pptx and a hostile slides.toml) given to `deckgen build`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLE_ARGS, run

DEFAULT = ROOT / "templates" / "default"


def _folder(tmp_path: Path, spec: str) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    shutil.copy(DEFAULT / "template.pptx", folder / "template.pptx")
    (folder / "slides.toml").write_text(spec, encoding="utf-8")
    return folder


def _slide(field: str, text: str) -> str:
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    fine = '[[slide]]\nid = "fine"\nlayout = "content"\ntitle = "Fine"\n\n'
    return fine + f'[[slide]]\nid = "boom"\nlayout = "content"\ntitle = "Boom"\n{field} = "{quoted}"\n'


def _refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> str:
    deck = tmp_path / "deck.pptx"
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, *args, "-o", str(deck))
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert not deck.exists()
    return lines[0]


@pytest.mark.parametrize(
    ("field", "text", "says"),
    [
        (
            "body",
            "{% for a in range(10000) %}{% for b in range(10000) %}{% set c = b %}{% endfor %}{% endfor %}",
            "more than 1,000,000 steps",
        ),
        ("body", "{% for a in range(10**9) %}{{ a }}{% endfor %}", "range() of 1,000,000,000 items; at most 10,000"),
        ("notes", "{{ lipsum(n=10**9) }}", "lipsum() of at most 100 paragraphs"),
        ("subtitle", "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}", "calls itself too deeply"),
        ("body", "{{ 'x' * 10**9 }}", "'*' would make 1,000,000,000 items; at most 100,000"),
        ("body", "{% for a in range(10000) %}{{ 'x' * 99 }}{% endfor %}", "more than 100,000 characters"),
        ("notes", "{{ 2 ** (10 ** 10) }}", "too large a number"),
        ("body", "{{ 'x' | center(10**9) }}", "'center' would make more than 100,000 characters"),
        ("body", "{{ 'x'.ljust(10**9) }}", "'ljust' would make more than 100,000 characters"),
        ("body", "{{ '{:>1000000000}'.format(1) }}", "'format' would make more than 100,000 characters"),
        ("body", "{{ '%1000000000d' | format(1) }}", "'format' would make more than 100,000 characters"),
        ("body", "{{ (['x' * 9999] * 9) | join('y' * 99999) }}", "'join' would make more than 100,000 characters"),
        ("body", "{{ ('x' * 99999).replace('', 'y' * 999) }}", "'replace' would make more than 100,000 characters"),
        ("body", "{{ (['x' * 99999] * 99999) | length }}", "'*' would make 9,999,800,001 items"),
    ],
)
def test_a_field_over_a_budget_is_one_line_naming_file_slide_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, text: str, says: str
) -> None:
    folder = _folder(tmp_path, _slide(field, text))

    line = _refused(capsys, tmp_path, "--template", str(folder))

    assert line.startswith(f"Error: {folder / 'slides.toml'}: slide 'boom', {field}: "), line
    assert says in line


def test_a_deck_over_its_time_budget_stops_between_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("deckgen.render.text_env.MAX_SECONDS", 0.0)
    folder = _folder(tmp_path, _slide("body", "{{ 1 }}"))

    line = _refused(capsys, tmp_path, "--template", str(folder))

    assert line.startswith(f"Error: {folder / 'slides.toml'}: slide "), line
    assert "took over 0 s (the limit for a deck)" in line


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def test_a_slide_spec_nested_thousands_deep_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = _folder(tmp_path, _slide("body", "x") + f"deep = {_nested(5000)}\n")

    line = _refused(capsys, tmp_path, "--template", str(folder))

    assert line == (
        f"Error: {folder / 'slides.toml'}: line 11: arrays or tables nested 5000 deep; at most 50 levels are read"
    )
    code, out, _ = run(capsys, "template", "check", str(folder))
    assert code == 1
    assert out.splitlines() == [line.removeprefix("Error: ")]


def test_a_config_of_inline_tables_nested_thousands_deep_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "deckgen.toml"
    config.write_text("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", encoding="utf-8")
    args = [arg if arg != SAMPLE_ARGS[SAMPLE_ARGS.index("--config") + 1] else str(config) for arg in SAMPLE_ARGS]
    deck = tmp_path / "deck.pptx"

    code, _, err = run(capsys, "build", *args, "-o", str(deck))

    assert code == 2, err
    assert err.strip() == f"Error: {config}: line 1: arrays or tables nested 3000 deep; at most 50 levels are read"
    assert not deck.exists()


def test_nesting_within_the_limit_and_brackets_in_strings_and_comments_are_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from deckgen.config import nesting

    spec = _slide("body", "[[[[[[ {{ '{' * 60 }} ]]]]]]") + f"# {'[' * 80}\n"
    folder = _folder(tmp_path, spec)

    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(folder), "-o", str(tmp_path / "deck.pptx"))

    assert code == 0, err
    assert nesting(spec) == (2, 1)  # [[slide]]
    assert nesting(f'a = \'[[\'\nb = """\n[["""\nc = {_nested(40)}\n') == (40, 4)
