"""`deckgen template init | check`: a folder to start from, and every mistake found before rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from deck_helpers import ROOT, SAMPLE_ARGS, run
from pptx import Presentation

DEFAULT = ROOT / "templates" / "default"


def test_init_writes_an_editable_copy_that_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mine"
    code, out, _ = run(capsys, "template", "init", str(folder))
    assert code == 0
    written = sorted(path.name for path in folder.iterdir())
    assert written == ["slides.ko.toml", "slides.toml", "template.pptx"]
    assert out.split() == [str(folder / "template.pptx"), str(folder / "slides.ko.toml"), str(folder / "slides.toml")]
    spec = (folder / "slides.toml").read_text(encoding="utf-8")
    for field in ("layout", "when", "for_each", "chart_style", "tiles", "table", "body_in", "notes"):
        # every field explained in the comments
        assert any(line.startswith("#   ") and field in line.split("  ")[1] for line in spec.splitlines()), field
    (folder / "slides.toml").write_text(spec.replace("Appendix: definitions and data source", "Our appendix"))
    deck = tmp_path / "deck.pptx"
    code, _, _ = run(capsys, "build", *SAMPLE_ARGS, "--template", str(folder), "-o", str(deck))
    assert code == 0
    assert Presentation(str(deck)).slides[-1].shapes.title.text == "Our appendix"


def test_init_never_overwrites_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "slides.toml").write_text("# my edits\n")
    code, out, err = run(capsys, "template", "init", str(folder))
    assert code == 2 and out == ""
    assert err.strip() == f"Error: {folder}: already has slides.toml (--force overwrites them)"
    assert (folder / "slides.toml").read_text() == "# my edits\n"
    assert not (folder / "template.pptx").exists()
    code, _, _ = run(capsys, "template", "init", str(folder), "--force")
    assert code == 0 and (folder / "slides.toml").read_text() != "# my edits\n"


def test_check_passes_the_default_template_and_a_bare_corporate_pptx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from template_factory import corporate_template

    code, out, _ = run(capsys, "template", "check", str(DEFAULT))
    assert (code, out.strip()) == (0, f"{DEFAULT}: 2 slide specs, 56 slides checked, no problems")
    pptx = corporate_template(tmp_path / "corp.pptx")
    code, out, _ = run(capsys, "template", "check", str(pptx))
    assert code == 0 and out.strip().endswith("no problems")


SEEDED = """
[[slide]]
id = "one"
layout = "Titel and Content"
title = "{{ bokings.goal | money }}"
notes = "{{ bookings.closed_wom }} and {{ forecast.mid | moeny }}"

[[slide]]
id = "two"
layout = "two_content"
title = "{{ bookings.closed_won | money }"
body = "{% for row in pipeline.by_stage %}{{ row.stag }}{% endfor %}"
body_in = "Lefft"
chart = "pipeline_by_stages"
when = "changes is not nonee"

[[slide]]
id = "three"
layout = "content"
title = "Top deals"
chart_style = "editable"
for_each = "regions"
[slide.table]
rows = "top_deal"
columns = [{ header = "Amount", value = "{{ row.amount | money }}" }]

[[slide]]
id = "four"
layout = "content"
title = "Findings"
[slide.table]
rows = "hygiene_findings"
columns = [{ header = "Deal", value = "{{ row.deal.nmae }}" }, { header = "Owner", value = "{{ row.onwer }}" }]
"""


def test_check_finds_each_seeded_mistake_with_file_slide_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    shutil.copy(DEFAULT / "template.pptx", folder / "template.pptx")
    spec = folder / "slides.toml"
    spec.write_text(SEEDED, encoding="utf-8")
    code, out, err = run(capsys, "template", "check", str(folder))
    assert code == 1
    assert err.strip() == f"Error: 14 problem(s) in {folder}"
    assert out.splitlines() == [
        f"{spec}: slide 3 (three): 'chart_style' must be image or native, not 'editable'",
        f"{spec}: slide 3 (three): 'for_each' must be teams or owners, not 'regions'",
        f"{spec}: slide 'one', title: unknown variable 'bokings' (did you mean 'bookings'?)",
        f"{spec}: slide 'one', notes: 'bookings' has no 'closed_wom' (did you mean 'closed_won'?)",
        f"{spec}: slide 'one', notes: unknown filter 'moeny' (did you mean 'money'?)",
        f"{spec}: slide 'one', layout: 'Titel and Content' is neither a layout of the template nor a role "
        "(did you mean 'Title and Content'?) (layouts: Title, Section, Title and Content, Two Content, Title Only, "
        "Blank; roles: title, section, content, two_content, title_only, picture, blank)",
        f"{spec}: slide 'two', chart: no chart named 'pipeline_by_stages' (did you mean 'pipeline_by_stage'?)",
        f"{spec}: slide 'two', when: unknown test 'nonee' (did you mean 'none'?)",
        f"{spec}: slide 'two', title: Jinja syntax error on line 1: unexpected '}}'",
        f"{spec}: slide 'two', body: 'row' has no 'stag' (did you mean 'stage'?)",
        f"{spec}: slide 'two', body_in: layout 'Two Content' has no placeholder 'Lefft' (did you mean 'Left'?) "
        "(it has: Title, Left, Right)",
        f"{spec}: slide 'three', table.rows: unknown variable 'top_deal' (did you mean 'top_deals'?)",
        f"{spec}: slide 'four', table column 'Deal': 'row.deal' has no 'nmae' (did you mean 'name'?)",
        f"{spec}: slide 'four', table column 'Owner': 'row' has no 'onwer' (did you mean 'owner'?)",
    ]


def test_check_reports_a_missing_template_and_bad_toml_in_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "slides.toml").write_text('[[slide]]\nid = "a"\nlayout = \n')
    code, out, _ = run(capsys, "template", "check", str(folder))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"{folder / 'template.pptx'}: not found (a template folder holds template.pptx and slides.toml)"
    )
    assert lines[1].startswith(f"{folder / 'slides.toml'}: is not valid TOML: ")
    assert len(lines) == 2


def test_build_refuses_an_unknown_layout_naming_the_roles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(DEFAULT / "template.pptx", folder / "template.pptx")
    (folder / "slides.toml").write_text('[[slide]]\nid = "a"\nlayout = "Fancy"\ntitle = "x"\n')
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "--template", str(folder), "-o", str(tmp_path / "d.pptx"))
    assert code == 2
    assert err.strip() == (
        f"Error: {folder / 'template.pptx'}: slide 'a' asks for layout 'Fancy', which the template does not have "
        "(layouts: Title, Section, Title and Content, Two Content, Title Only, Blank; "
        "roles: title, section, content, two_content, title_only, picture, blank)"
    )
    assert not (tmp_path / "d.pptx").exists()
