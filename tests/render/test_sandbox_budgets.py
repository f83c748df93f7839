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
        # Every other way slide text can build a large string or list is sized before it is built.
        ("body", "{{ ('x ' * 50000) | wordwrap(1, wrapstring='y' * 99999) }}", "'wordwrap' would make more than"),
        ("body", "{{ ('x\\n' * 50000) | indent('y' * 99999) }}", "'indent' would make more than 100,000 characters"),
        ("body", "{{ ('x\\n' * 50000) | indent(99999) }}", "'indent' would make more than 100,000 characters"),
        ("body", "{{ ('x' * 99999) | replace('', 'y' * 999) }}", "'replace' would make more than 100,000 characters"),
        ("body", "{{ [1] | batch(10**9, 'x') | list | length }}", "'batch' would make more than 100,000 items"),
        ("body", "{{ [1] | slice(10**9) | list | length }}", "'slice' would make more than 100,000 items"),
        ("body", "{{ [1, 2] | tojson(10**9) }}", "'tojson' would make more than 100,000 characters"),
        ("body", "{{ range(10000) | list | tojson(99) }}", "'tojson' would make more than 100,000 characters"),
        ("body", "{{ '{:{}}'.format(1, 10**9) }}", "'format' would make more than 100,000 characters"),
        ("body", "{{ '%*d' % (10**9, 1) }}", "'%' would make more than 100,000 characters"),
        ("body", "{{ '%1000000000d' % 1 }}", "'%' would make more than 100,000 characters"),
        ("body", "{{ '%(a)1000000000s' % {'a': 1} }}", "'%' would make more than 100,000 characters"),
        ("body", "{{ ('\t' * 99999).expandtabs(99999) }}", "'expandtabs' would make more than 100,000 characters"),
        ("body", "{{ 'x'.encode() * 10**9 }}", "'*' would make 1,000,000,000 items"),
        ("body", "{{ ('x' * 9).encode().center(10**9) }}", "'center' would make more than 100,000 characters"),
        (
            "body",
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "'~' would make more than 100,000 characters",
        ),
        (
            "body",
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
            "'+' would make more than 100,000 items",
        ),
        (
            "body",
            "{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{{ ns.s.extend(ns.s) }}{% endfor %}",
            "'extend' would make more than 100,000 items",
        ),
        # Loops over anything, not only range(), count against the deck's steps (this one would run for hours).
        (
            "notes",
            "{% for c in 'x' * 99999 %}{% for d in 'x' * 99999 %}{% endfor %}{% endfor %}",
            "loops ran more than 1,000,000 steps",
        ),
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


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'a' ~ 1 ~ none }}",
        "{% for x in [3, 1, 2] | sort %}{{ loop.index }}/{{ loop.length }}:{{ x }}{{ loop.cycle(',') }}{% endfor %}",
        "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}={{ v }} {% else %}none{% endfor %}",
        "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}",
        "{{ ('one two three four' * 3) | wordwrap(7) }}",
        "{{ 'a\\nb\\n' | indent(2, first=True) }}{{ 'a\\nb' | indent('> ') }}",
        "{{ 'a-b-c' | replace('-', ' and ') }}{{ 'aaa' | replace('a', 'bb', 2) }}",
        "{{ {'k': [1, 2]} | tojson(2) }}{{ [1] | tojson }}",
        "{{ '%5.1f|%-4s|%*d' % (3.14159, 'x', 3, 7) }}{{ '{:>{}}'.format('x', 4) }}",
        "{{ [1, 2] + [3] }}{{ 'ab' + 'cd' }}{{ 2 + 3 }}{{ 7 % 3 }}",
        "{{ range(10) | batch(3, 0) | list }}{{ range(10) | slice(3) | list }}",
        "{% set ns = namespace(l=[1]) %}{{ ns.l.extend([2, 3]) }}{{ ns.l }}{{ 'a\\tb'.expandtabs(4) }}",
    ],
)
def test_text_within_the_budgets_renders_as_jinja_renders_it(text: str) -> None:
    """The budgets change what slide text may build, never what text within them renders to."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from deckgen.render.text_env import budget, make_env

    plain = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    with budget():
        assert make_env("USD").from_string(text).render() == plain.from_string(text).render()
