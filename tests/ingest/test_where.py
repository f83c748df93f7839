"""--where: the condition checked by DuckDB's parser, and run over the deals as read (fields cleaned, other columns
as exported) on a connection that cannot reach files."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.config import Settings
from deckgen.errors import InputError
from deckgen.ingest import read_pipeline
from deckgen.ingest.pipeline import Pipeline
from deckgen.ingest.where import Condition, check_condition, filter_pipeline, segment

EXPORT = """\
Opportunity Name,Amount,Stage,Close Date,Opportunity Owner,Region,Deal Band
Alpha,"$60,000",Negotiation,10/15/2026,Ann Lee,EMEA,L
Bravo,"$40,000",Negotiation,11/01/2026,Bob Kim,EMEA,M
Charlie,"$90,000",Closed Won,10/20/2026,Ann Lee,APAC,L
Delta,"$1,200",Proposal,12/05/2026,Cy Park,EMEA,S
Echo,,Proposal,09/05/2026,Cy Park,,S
"""


@pytest.fixture
def pipeline(tmp_path: Path) -> Pipeline:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return read_pipeline(path, Settings())


def names(pipeline: Pipeline, text: str) -> list[str]:
    return list(segment(pipeline, check_condition(text)).frame["name"])


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # An export column mapped to no field: its text as exported.
        ("Region = 'EMEA'", ["Alpha", "Bravo", "Delta"]),
        ("region = 'EMEA'", ["Alpha", "Bravo", "Delta"]),  # names match as DuckDB's do: case aside
        ("Region IS NULL", ["Echo"]),
        ("\"Deal Band\" IN ('L', 'M')", ["Alpha", "Bravo", "Charlie"]),
        # A field: the cleaned value ("$60,000" is 60000.0; "10/15/2026" a DATE), by its name or its header's.
        ("amount >= 50000", ["Alpha", "Charlie"]),
        ('"Amount" >= 50000', ["Alpha", "Charlie"]),
        ("close_date >= DATE '2026-11-01'", ["Bravo", "Delta"]),
        ("\"Close Date\" BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'", ["Alpha", "Charlie"]),
        ("month(close_date) = 10 and year(close_date) = 2026", ["Alpha", "Charlie"]),
        ("\"Opportunity Owner\" = 'Ann Lee'", ["Alpha", "Charlie"]),
        ("owner = 'Ann Lee' and state = 'won'", ["Charlie"]),
        ("amount IS NULL", ["Echo"]),
        ("Region = 'EMEA' and amount >= 50000", ["Alpha"]),
        ("lower(stage) LIKE 'nego%' or stage ILIKE 'closed%'", ["Alpha", "Bravo", "Charlie"]),
        ("NOT (Region = 'EMEA') OR Region IS NULL", ["Charlie", "Echo"]),
        ("CASE WHEN Region = 'APAC' THEN amount > 80000 ELSE false END", ["Charlie"]),
        ("coalesce(Region, 'none') = 'none'", ["Echo"]),
        ("CAST(amount AS INTEGER) % 1000 = 200", ["Delta"]),
        ("close_date >= DATE '2026-12-05' - INTERVAL 30 DAY", ["Delta"]),
        ("probability BETWEEN 0.7 AND 0.9", ["Alpha", "Bravo"]),  # a fraction, as deckgen holds it
        ("name = 'It''s'", None),  # keeps none: refused below
    ],
)
def test_names_see_the_cleaned_fields_and_the_exported_text(pipeline: Pipeline, text: str, kept: list[str]) -> None:
    if kept is None:
        with pytest.raises(InputError, match="keeps none of its 5 deals"):
            names(pipeline, text)
        return
    assert names(pipeline, text) == kept


def test_the_other_columns_and_the_order_stay(pipeline: Pipeline) -> None:
    kept = segment(pipeline, check_condition("Region = 'EMEA'")).frame
    assert list(kept.columns) == list(pipeline.frame.columns)
    assert list(kept.index) == [0, 1, 2]
    assert kept["amount"].tolist() == [60000.0, 40000.0, 1200.0]


def test_last_week_may_hold_none_of_the_segment(pipeline: Pipeline) -> None:
    assert segment(pipeline, check_condition("Region = 'LATAM'"), previous=True).frame.empty


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Regoin = 'EMEA'", "no column 'Regoin' (did you mean 'Region'?)"),
        ("amout > 5", "no column 'amout' (did you mean 'amount'?)"),
        ("\"Deal Bnad\" = 'L'", "no column 'Deal Bnad' (did you mean \"Deal Band\"? (double quotes around a name"),
        ('Region = "EMEA"', "no column 'EMEA' (text takes single quotes: 'EMEA' (double quotes name a column))"),
        ("Region > 5", "cannot be evaluated: Cannot compare values of type VARCHAR and type INTEGER_LITERAL"),
        ("amount > 'lots'", "cannot be evaluated: Could not convert string 'lots' to DOUBLE"),
        ("stage = 1", "cannot be evaluated: Could not convert string"),
    ],
)
def test_typos_and_types_are_one_line_naming_the_condition(pipeline: Pipeline, text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        names(pipeline, text)
    shown = str(error.value)
    assert "\n" not in shown
    assert shown.startswith(f'{pipeline.file}: where "{text}"')
    assert message in shown


@pytest.mark.parametrize(
    ("text", "number"),
    [("probability >= 70", "70"), ('"Probability (%)" BETWEEN 0.5 AND 80', "80"), ("probability IN (0.5, 90)", "90")],
)
def test_a_probability_compared_as_a_percent_is_refused(tmp_path: Path, text: str, number: str) -> None:
    """Compared as the export shows it (70 for 70%), a fraction would keep no deal or every deal without a word."""
    path = tmp_path / "export.csv"
    path.write_text(
        "Opportunity Name,Amount,Stage,Close Date,Probability (%)\n"
        "Alpha,100,Proposal,2026-11-02,70%\nBravo,200,Proposal,2026-11-03,40%\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        names(read_pipeline(path, Settings()), text)
    assert f"with {number}, but it holds the probability as a fraction from 0 to 1 (write {int(number) / 100:g}" in (
        str(error.value)
    )


@pytest.mark.parametrize(("text", "kind"), [("amount", "double"), ("Region", "varchar"), ("NULL", '"null"')])
def test_a_value_that_is_not_true_or_false_is_not_a_condition(pipeline: Pipeline, text: str, kind: str) -> None:
    """WHERE amount would keep every non-zero amount without a word."""
    with pytest.raises(InputError) as error:
        names(pipeline, text)
    assert f'where "{text}": is {kind}, not a condition (true or false) (compare it: amount > 0' in str(error.value)


def test_a_category_column_is_called_text_not_its_list_of_values(pipeline: Pipeline) -> None:
    with pytest.raises(InputError) as error:
        names(pipeline, "owner > 5")
    assert "type text and type INTEGER_LITERAL" in str(error.value)
    assert "Ann Lee" not in str(error.value)


REFUSED = [
    ("1=1; DROP TABLE input", "is more than one statement"),
    ("Region = 'EMEA'; COPY input TO 'out.csv'", "is more than one statement"),
    ("amount > (SELECT count(*) FROM read_csv('/etc/passwd'))", "holds a subquery"),
    ("Region IN (SELECT 'EMEA')", "holds a subquery"),
    ("EXISTS (SELECT 1)", "holds a subquery"),
    ("read_text('/etc/passwd') <> ''", "calls read_text(), which a condition may not"),
    ("getenv('HOME') <> ''", "calls getenv(), which a condition may not"),
    ("current_setting('threads') > 0", "calls current_setting()"),
    ("main.lower(Region) = 'emea'", "calls lower(), which a condition may not"),
    ("sum(amount) > 0", "calls sum()"),
    ("count(*) > 0", "calls count(*)"),
    ("row_number() OVER () > 1", "calls the window function row_number()"),
    ("Region = 'EMEA' -- and amount > 0", "holds a comment"),
    ("Region = 'EMEA' /* and amount > 0 */", "holds a comment"),
    ("/**/Region = 'EMEA'", "holds a comment"),
    ("'a' = 'a') OR (1=1", "is not a condition (syntax error"),
    ("((Region = 'EMEA')", "is not a condition (syntax error"),
    ("Region = 'EMEA')", "is not a condition (syntax error"),
    ("pragma version", "is not a condition"),
    ("install httpfs", "is not a condition"),
    ("amount > 0 ORDER BY 1", "is more than a condition"),
    ("amount > 0 LIMIT 1", "is more than a condition"),
    ("amount > 0 GROUP BY Region", "is more than a condition"),
    ("amount > 0 UNION SELECT * FROM input", "is more than a condition"),
    ("amount > $1", "holds a parameter"),
    ("list_transform([1], lambda x: x) = [1]", "calls list_transform()"),
    ("input.amount > 0", "names input.amount"),
    ("", "is empty"),
    ("x" * 2001, "over the limit of 2,000"),
    ("(" * 3000 + "1" + ")" * 3000, "over the limit"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_anything_but_a_condition_is_refused_before_it_runs(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        check_condition(text)
    assert "\n" not in str(error.value)
    assert message in str(error.value)


def test_a_deep_condition_within_the_length_is_refused_not_a_crash() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        check_condition("NOT " * 490 + "amount > 1")


def test_parentheses_alone_nest_nothing(pipeline: Pipeline) -> None:
    assert names(pipeline, "(" * 900 + "Region = 'APAC'" + ")" * 900) == ["Charlie"]


def test_strings_may_hold_what_a_condition_may_not(pipeline: Pipeline) -> None:
    """'--', ';', '/*' and 'read_csv(' inside a string literal are text, not SQL."""
    condition = check_condition("Region <> '--; /* read_csv(''x'') */'")
    assert condition.names == ("Region",)
    assert len(segment(pipeline, condition).frame) == 4


def test_a_condition_slipping_past_the_check_still_cannot_read_or_write_files(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    """Defence in depth: the connection that runs the condition has no file access and a locked configuration."""
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2", encoding="utf-8")
    written = tmp_path / "copied.csv"
    attempts = [
        f"read_text('{secret}') <> ''",
        f"amount > (SELECT count(*) FROM read_csv('{secret}'))",
        f"1=1); COPY (SELECT 1) TO '{written}'; SELECT {_ROW} FROM input WHERE (1=1",
        "1=1); SET enable_external_access = true; SELECT __deckgen_row FROM input WHERE (1=1",
    ]
    for text in attempts:
        with pytest.raises(InputError) as error:
            filter_pipeline(pipeline, Condition(text, ()))
        assert "hunter2" not in str(error.value)
    assert not written.exists()


_ROW = "__deckgen_row"
