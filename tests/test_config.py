"""Tests of deckgen.config: loading deckgen.toml, naming every problem at once, flags, quarter keys, money text."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.config import (
    Settings,
    StageRule,
    apply_overrides,
    load_settings,
    normalize_key,
    parse_money_text,
    parse_settings,
    quarter_key,
)
from deckgen.errors import ConfigError, worded

FULL = """\
company = "Acme Corp"
currency = "KRW"
fiscal_year_start = 2
fiscal_year_named_by = "start"
date_format = "%d.%m.%Y"
sheet = "Pipeline"

[goals]
"FY2026 Q4" = 1_200_000
"fy27-q1" = 1500000.5

[pipeline_goals]
"2026Q4" = 3600000

[pacing]
curve = "weights"
exponent = 2.0
weights = [0.2, 0.3, 0.5]
pipeline_coverage = 4

[forecast]
commit_min_probability = 0.8
best_case_min_probability = 0.5
default_probability = 0.05

[columns]
amount = "금액"
owner = "Rep"

[stages]
"Verbal Yes" = { state = "open", probability = 0.95, forecast_category = "commit" }
"Closed - Paid" = { state = "won" }

"""


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deckgen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_config(tmp_path, text))
    return caught.value


def test_load_settings_reads_every_table(tmp_path: Path) -> None:
    path = write_config(tmp_path, FULL)
    settings = load_settings(path)
    assert settings.company == "Acme Corp"
    assert settings.currency == "KRW"
    assert settings.fiscal_year_start == 2
    assert settings.fiscal_year_named_by == "start"
    assert settings.date_format == "%d.%m.%Y"
    assert settings.sheet == "Pipeline"
    assert settings.goals == {"2026Q4": 1_200_000.0, "2027Q1": 1_500_000.5}
    assert settings.pipeline_goals == {"2026Q4": 3_600_000.0}
    assert (settings.curve, settings.curve_exponent, settings.curve_weights) == ("weights", 2.0, (0.2, 0.3, 0.5))
    assert settings.pipeline_coverage == 4.0
    assert (settings.commit_min_probability, settings.best_case_min_probability) == (0.8, 0.5)
    assert settings.default_probability == 0.05
    assert settings.columns == {"amount": "금액", "owner": "Rep"}
    assert settings.stages == {
        "verbalyes": StageRule(state="open", probability=0.95, forecast_category="commit"),
        "closedpaid": StageRule(state="won"),
    }
    assert settings.source == str(path)


def test_goal_lookup_by_any_quarter_spelling(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, FULL))
    assert settings.goal_for("FY2026 Q4") == 1_200_000.0
    assert settings.goal_for("fy26-q4") == 1_200_000.0
    assert settings.goal_for("FY2026 Q3") is None
    assert settings.pipeline_goal_for("2026Q4", 1_200_000.0) == 3_600_000.0
    # no pipeline goal for the quarter: bookings goal times the coverage (4 here)
    assert settings.pipeline_goal_for("2027Q1", 1_500_000.5) == 6_000_002.0
    assert settings.pipeline_goal_for("2027Q1", None) is None


def test_load_settings_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "deckgen.toml"
    path.write_text('company = "Acme"\n', encoding="utf-8-sig")
    assert load_settings(path).company == "Acme"


def test_no_config_in_the_folder_means_defaults(tmp_path: Path) -> None:
    assert load_settings(None, search_dir=tmp_path) == Settings()


def test_config_found_in_the_search_folder(tmp_path: Path) -> None:
    write_config(tmp_path, "fiscal_year_start = 7\n")
    assert load_settings(None, search_dir=tmp_path).fiscal_year_start == 7


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        load_settings(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path: Path) -> None:
    error = config_error(tmp_path, "goals = [\n")
    assert "is not valid TOML" in str(error)
    assert str(error).startswith(str(tmp_path / "deckgen.toml"))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    error = config_error(tmp_path, 'fiscal_year_start = 13\ncurrency = "usd"\nfiscal_yaer_start = 4\n')
    assert len(error.problems) == 3
    text = str(error)
    assert "3 problems" in text
    assert "'fiscal_year_start' must be a month number from 1 to 12, not 13" in text
    assert "'currency' must be a three-letter code like USD or KRW, not 'usd'" in text
    # Since issue 13 an unknown key names the nearest setting.
    assert "'fiscal_yaer_start' is not a deckgen setting; did you mean 'fiscal_year_start'?" in text


def test_problems_in_tables_name_their_dotted_keys(tmp_path: Path) -> None:
    text = """\
[goals]
"next quarter" = 1
"FY26 Q1" = "lots"
[pacing]
curve = "steep"
speed = 2
[forecast]
default_probability = 1.5
[columns]
revenue = "R"
amount = 5
[stages.Verbal]
state = "maybe"
probability = 2
colour = "red"
"""
    error = config_error(tmp_path, text)
    keys = [problem.split("'")[1] for problem in error.problems]
    assert sorted(keys) == sorted(
        [
            "goals.next quarter",
            "goals.FY26 Q1",
            "pacing.speed",
            "pacing.curve",
            "forecast.default_probability",
            "columns.revenue",
            "columns.amount",
            "stages.Verbal.colour",
            "stages.Verbal.state",
            "stages.Verbal.probability",
        ]
    )
    assert "'pacing.curve' must be one of linear, curved, weights, history, not 'steep'" in str(error)
    assert "'forecast.default_probability' must be between 0 and 1, not 1.5" in str(error)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fiscal_year_start = true\n", "'fiscal_year_start' must be a month number from 1 to 12, not True"),
        ("fiscal_year_start = 0\n", "'fiscal_year_start' must be a month number from 1 to 12, not 0"),
        ("pacing = 3\n", "'pacing' must be a table, not 3"),
        ('[pacing]\nweights = "front"\n', "'pacing.weights' must be a list of shares per month or per week"),
        ("[pacing]\nweights = [0, 0]\n", "'pacing.weights' must not all be zero"),
        ("[pacing]\nweights = [1, -1]\n", "'pacing.weights[1]' must be at least 0, not -1"),
        ("[goals]\nFY26Q1 = -5\n", "'goals.FY26Q1' must be at least 0, not -5"),
        ('[stages.Won]\nforecast_category = "maybe"\n', "'stages.Won.forecast_category' must be one of"),
        ("company = 5\n", "'company' must be text, not 5"),
    ],
)
def test_single_problems_name_their_key(tmp_path: Path, text: str, message: str) -> None:
    assert message in str(config_error(tmp_path, text))


def test_rules_across_keys(tmp_path: Path) -> None:
    assert "'pacing.curve' is 'weights' but 'pacing.weights' is not set" in str(
        config_error(tmp_path, '[pacing]\ncurve = "weights"\n')
    )
    error = config_error(tmp_path, "[forecast]\ncommit_min_probability = 0.3\nbest_case_min_probability = 0.5\n")
    assert "'forecast.best_case_min_probability' must not be above 'forecast.commit_min_probability'" in str(error)


def test_parse_settings_without_a_file() -> None:
    assert parse_settings({}, "inline") == Settings(source="inline")
    with pytest.raises(ConfigError, match=r"^inline: 'bogus' is not a deckgen setting$"):
        parse_settings({"bogus": 1}, "inline")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("golas = 1\n", "'golas' is not a deckgen setting; did you mean 'goals'?"),
        ('curve = "linear"\n', "'curve' is not a deckgen setting; did you mean 'pacing.curve'?"),
        (
            "[pacing]\ncurv = 2\n",
            "'pacing.curv' is not a pacing setting (curve, exponent, weights, pipeline_coverage)"
            "; did you mean 'pacing.curve'?",
        ),
        (
            "[forecast]\ndefault_probabilty = 0.1\n",
            "'forecast.default_probabilty' is not a forecast setting; did you mean 'forecast.default_probability'?",
        ),
        (
            "[stages.Won]\nprobabilty = 0.5\n",
            "'stages.Won.probabilty' is not a stage setting (state, probability, forecast_category, label)"
            "; did you mean 'stages.Won.probability'?",
        ),
    ],
)
def test_unknown_keys_name_the_nearest_setting(tmp_path: Path, text: str, message: str) -> None:
    assert config_error(tmp_path, text).problems == [message]


@pytest.mark.parametrize("table", ["deck", "meeting"])
def test_tables_nothing_reads_are_refused(tmp_path: Path, table: str) -> None:
    (problem,) = config_error(tmp_path, f'[{table}]\ntitle = "Weekly sales review"\n').problems
    assert problem.startswith(f"'{table}' is not a deckgen setting: ")


def test_every_key_of_deckgen_toml_is_a_setting_with_help() -> None:
    from deckgen.config import OPTIONS

    keys = [item.key for item in OPTIONS.values() if item.key is not None]
    assert len(keys) == len(set(keys))
    assert all(item.help for item in OPTIONS.values())
    assert {name for name, item in OPTIONS.items() if item.flag} == {
        "goal",
        "fiscal_year_start",
        "curve",
        "columns",
        "sheet",
        "query",
        "history",
        "asks",
    }


def test_a_relative_history_store_lies_beside_the_config(tmp_path: Path) -> None:
    config = tmp_path / "team" / "deckgen.toml"
    config.parent.mkdir()
    config.write_text('history = "sales-history.duckdb"\nhistory_wait = 5\n', encoding="utf-8")
    settings = load_settings(config)
    assert Path(settings.history or "") == config.parent / "sales-history.duckdb"
    assert settings.history_wait == 5
    config.write_text(f'history = "{(tmp_path / "abs.duckdb").as_posix()}"\n', encoding="utf-8")
    assert Path(load_settings(config).history or "") == tmp_path / "abs.duckdb"
    # a flag is the user's own path, as typed
    assert apply_overrides(load_settings(config), history="here.duckdb").history == "here.duckdb"
    config.write_text("history_wait = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="history_wait"):
        load_settings(config)


def test_flags_are_checked_by_the_config_validators() -> None:
    with pytest.raises(ConfigError) as caught:
        apply_overrides(Settings(), curve="steep", fiscal_year_start=True, sheet=3)
    assert [worded(problem) for problem in caught.value.problems] == [
        "'curve' must be one of linear, curved, weights, history, not 'steep'",
        "'fiscal_year_start' must be a month number from 1 to 12, not True",
        "'sheet' must be text, not 3",
    ]


def test_samples_config_is_valid() -> None:
    sample = Path(__file__).resolve().parents[1] / "samples" / "deckgen.toml"
    assert load_settings(sample).company


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("FY2026 Q4", "2026Q4"),
        ("fy26-q4", "2026Q4"),
        ("2026Q4", "2026Q4"),
        ("2026 q1", "2026Q1"),
        ("FY 2027-Q2", "2027Q2"),
        ("Q4 2026", None),
        ("FY2026 Q5", None),
        ("2026", None),
        ("", None),
    ],
)
def test_quarter_key(label: str, key: str | None) -> None:
    assert quarter_key(label) == key


def test_normalize_key() -> None:
    assert normalize_key("Close Date") == normalize_key("close_date") == normalize_key("CLOSE-DATE") == "closedate"
    assert normalize_key("Negotiation/Review") == "negotiationreview"
    assert normalize_key("금액") == "금액"


def test_apply_overrides_leaves_settings_alone_for_unset_flags() -> None:
    settings = Settings(currency="EUR", fiscal_year_start=4, goal=5.0, columns={"owner": "Rep"}, sheet="Deals")
    same = apply_overrides(settings, goal=None, currency=None, fiscal_year_start=None, columns=(), sheet=None)
    assert same == settings


def test_apply_overrides_sets_given_flags_and_merges_columns() -> None:
    settings = Settings(currency="EUR", columns={"owner": "Rep", "amount": "Value"})
    result = apply_overrides(
        settings, goal=500_000, fiscal_year_start=7, columns={"amount": "ARR"}, curve="linear", currency=None
    )
    assert result.goal == 500_000.0
    assert result.fiscal_year_start == 7
    assert result.columns == {"owner": "Rep", "amount": "ARR"}
    assert result.curve == "linear"
    assert result.currency == "EUR"
    assert settings.columns == {"owner": "Rep", "amount": "Value"}


def test_apply_overrides_reports_every_bad_flag() -> None:
    with pytest.raises(ConfigError) as caught:
        apply_overrides(Settings(), goal=-1, fiscal_year_start=13, columns={"revenue": "R"})
    error = caught.value
    assert error.source == "command line"
    assert len(error.problems) == 3
    assert "'goal' must be at least 0, not -1" in str(error)
    assert "'fiscal_year_start' must be a month number from 1 to 12, not 13" in str(error)
    assert "'columns.revenue' is not a deckgen field" in str(error)
    assert error.options == ("goal", "fiscal_year_start", "columns")  # the CLI says them as its flags


def test_apply_overrides_checks_rules_across_keys() -> None:
    with pytest.raises(ConfigError, match=r"'pacing\.curve' is 'weights'"):
        apply_overrides(Settings(), curve="weights")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.2M", 1_200_000.0),
        ("800K", 800_000.0),
        ("800k", 800_000.0),
        ("1,200,000", 1_200_000.0),
        ("1200000", 1_200_000.0),
        ("$1.5m", 1_500_000.0),
        ("₩ 1,000", 1000.0),
        ("2B", 2e9),
        ("abc", None),
        ("", None),
        ("1.2.3", None),
        ("-5", None),
        ("1.2X", None),
    ],
)
def test_parse_money_text(text: str, amount: float | None) -> None:
    assert parse_money_text(text) == amount


def test_rules_across_keys_are_reported_with_the_other_problems(tmp_path: Path) -> None:
    error = config_error(tmp_path, 'fiscal_year_start = 13\n[pacing]\ncurve = "weights"\n')
    assert len(error.problems) == 2
    assert "'fiscal_year_start' must be a month number" in str(error)
    assert "'pacing.curve' is 'weights' but 'pacing.weights' is not set" in str(error)


def test_a_bad_key_is_not_reported_again_by_the_rules_across_keys(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[pacing]\ncurve = "weights"\nweights = "front"\n')
    assert error.problems == ["'pacing.weights' must be a list of shares per month or per week, not 'front'"]


def test_probability_bands_rule_skips_a_band_with_its_own_problem(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[forecast]\ncommit_min_probability = 1.5\nbest_case_min_probability = 0.8\n")
    assert error.problems == ["'forecast.commit_min_probability' must be between 0 and 1, not 1.5"]


def test_the_command_line_offers_every_curve() -> None:
    from deckgen import cli
    from deckgen.config import CURVES

    assert cli.CURVES == CURVES
