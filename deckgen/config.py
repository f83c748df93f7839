"""Settings: deckgen.toml plus command-line overrides, validated once with every problem named."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from deckgen.errors import ConfigError, option
from deckgen.frame import FIELDS, FORECAST_CATEGORIES, STATES  # the schema of fields and their values

CONFIG_NAME = "deckgen.toml"
CURVES = ("linear", "curved", "weights", "history")
_QUARTER_KEY = re.compile(r"^(?:FY)?(\d{2}|\d{4})Q([1-4])$")


def normalize_key(text: str) -> str:
    """Lower-case letters and digits only: how headers and stage names are compared."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def quarter_key(label: str) -> str | None:
    """'FY2026 Q4', 'fy26-q4', '2026Q4' -> '2026Q4'; None when the text is not a quarter."""
    match = _QUARTER_KEY.match(re.sub(r"[^0-9A-Za-z]", "", label).upper())
    if not match:
        return None
    year = match.group(1)
    if len(year) == 2:
        year = "20" + year
    return f"{year}Q{match.group(2)}"


@dataclass(frozen=True)
class StageRule:
    """What the config says about one stage name; None leaves the built-in rule in force."""

    state: str | None = None
    probability: float | None = None
    forecast_category: str | None = None
    label: str | None = None  # the name slides show, for an id such as a custom HubSpot stage's '12345678'


@dataclass(frozen=True)
class Settings:
    company: str = ""
    currency: str = "USD"
    fiscal_year_start: int = 1
    fiscal_year_named_by: str = "end"
    goals: dict[str, float] = field(default_factory=dict)
    group_goals: dict[str, dict[str, float]] = field(default_factory=dict)  # [goals."EMEA"]: per group, per quarter
    goal: float | None = None
    pipeline_goals: dict[str, float] = field(default_factory=dict)
    pipeline_coverage: float = 3.0
    curve: str = "curved"
    curve_exponent: float = 1.5
    curve_weights: tuple[float, ...] = ()
    stages: dict[str, StageRule] = field(default_factory=dict)
    default_probability: float = 0.1
    commit_min_probability: float = 0.7
    best_case_min_probability: float = 0.4
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    sheet: str | None = None
    query: str | None = None  # --query: SQL run in DuckDB over the input (see ingest/warehouse.py)
    fx: dict[str, float] = field(default_factory=dict)  # [fx]: 1 unit of the key's currency = rate x `currency`
    source: str = "defaults"

    def goal_for(self, quarter_label: str) -> float | None:
        """The bookings goal of a quarter: --goal for the current one, else [goals] in the config."""
        key = quarter_key(quarter_label)
        return self.goals.get(key) if key else None

    def for_group(self, name: str) -> Settings:
        """The settings of one group's deck: its own goals from [goals."<name>"], else none (not the company's)."""
        return replace(self, goals=dict(self.group_goals.get(name, {})), goal=None, pipeline_goals={})

    def pipeline_goal_for(self, quarter_label: str, bookings_goal: float | None) -> float | None:
        key = quarter_key(quarter_label)
        if key and key in self.pipeline_goals:
            return self.pipeline_goals[key]
        return None if bookings_goal is None else bookings_goal * self.pipeline_coverage


class _Problems:
    """Collects every problem so the user fixes the config in one pass."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(f"'{key}' {message}")

    def named(self, key: str) -> bool:
        """Whether a problem about this key (or one inside it) is listed already."""
        return any(item.startswith(f"'{key}") for item in self.items)

    def number(self, key: str, value: Any, lo: float | None = None, hi: float | None = None) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(key, f"must be a number, not {value!r}")
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
            self.add(key, f"must be {bounds}, not {value!r}")
            return None
        return float(value)

    def text(self, key: str, value: Any, choices: tuple[str, ...] | None = None) -> str | None:
        if not isinstance(value, str):
            self.add(key, f"must be text, not {value!r}")
            return None
        if choices is not None and value not in choices:
            self.add(key, f"must be one of {', '.join(choices)}, not {value!r}")
            return None
        return value


def _table(problems: _Problems, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.add(key, f"must be a table, not {value!r}")
        return {}
    return value


def _money_table(problems: _Problems, name: str, raw: Any) -> dict[str, float]:
    result: dict[str, float] = {}
    for label, amount in _table(problems, name, raw).items():
        key = quarter_key(label)
        if key is None:
            problems.add(f"{name}.{label}", 'is not a quarter: write it like "FY2026 Q4"')
            continue
        number = problems.number(f"{name}.{label}", amount, 0)
        if number is not None:
            result[key] = number
    return result


def _stages(problems: _Problems, raw: Any) -> dict[str, StageRule]:
    rules: dict[str, StageRule] = {}
    for stage, spec in _table(problems, "stages", raw).items():
        key = f"stages.{stage}"
        spec = _table(problems, key, spec)
        unknown = set(spec) - {"state", "probability", "forecast_category", "label"}
        for name in sorted(unknown):
            problems.add(f"{key}.{name}", "is not a stage setting (state, probability, forecast_category, label)")
        state = spec.get("state")
        if state is not None:
            state = problems.text(f"{key}.state", state, STATES)
        probability = spec.get("probability")
        if probability is not None:
            probability = problems.number(f"{key}.probability", probability, 0, 1)
        category = spec.get("forecast_category")
        if category is not None:
            category = problems.text(f"{key}.forecast_category", category, FORECAST_CATEGORIES)
        label = spec.get("label")
        if label is not None:
            label = problems.text(f"{key}.label", label)
            if label is not None and not label.strip():
                problems.add(f"{key}.label", "must not be empty")
                label = None
        rules[normalize_key(stage)] = StageRule(state, probability, category, label.strip() if label else None)
    return rules


def _columns(problems: _Problems, raw: Any, key: str = "columns") -> dict[str, str]:
    columns: dict[str, str] = {}
    for name, header in _table(problems, key, raw).items():
        if name not in FIELDS:
            problems.add(f"{key}.{name}", f"is not a deckgen field ({', '.join(FIELDS)})")
        elif (text := problems.text(f"{key}.{name}", header)) is not None:
            columns[name] = text
    return columns


_TOP_KEYS = {
    "company",
    "currency",
    "fiscal_year_start",
    "fiscal_year_named_by",
    "date_format",
    "sheet",
    "goals",
    "pipeline_goals",
    "pacing",
    "forecast",
    "columns",
    "stages",
    "deck",
    "meeting",
    "fx",
}


def parse_settings(data: dict[str, Any], source: str) -> Settings:
    """Validate a parsed deckgen.toml; raise ConfigError listing every problem."""
    problems = _Problems()
    for key in sorted(set(data) - _TOP_KEYS):
        problems.add(key, "is not a deckgen setting")
    values: dict[str, Any] = {"source": source}
    if "company" in data:
        values["company"] = problems.text("company", data["company"])
    if "currency" in data:
        currency = problems.text("currency", data["currency"])
        if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            problems.add("currency", f"must be a three-letter code like USD or KRW, not {currency!r}")
        values["currency"] = currency
    if "fiscal_year_start" in data:
        start = data["fiscal_year_start"]
        if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start <= 12:
            problems.add("fiscal_year_start", f"must be a month number from 1 to 12, not {start!r}")
        else:
            values["fiscal_year_start"] = start
    if "fiscal_year_named_by" in data:
        values["fiscal_year_named_by"] = problems.text(
            "fiscal_year_named_by", data["fiscal_year_named_by"], ("end", "start")
        )
    if "date_format" in data:
        values["date_format"] = problems.text("date_format", data["date_format"])
    if "sheet" in data:
        values["sheet"] = problems.text("sheet", data["sheet"])
    if "goals" in data:
        # Numbers are the company's goals per quarter; tables ([goals."EMEA"]) a team's, region's or owner's.
        goals = _table(problems, "goals", data["goals"])
        quarters = {label: amount for label, amount in goals.items() if not isinstance(amount, dict)}
        values["goals"] = _money_table(problems, "goals", quarters)
        values["group_goals"] = {
            group: _money_table(problems, f"goals.{group}", table)
            for group, table in goals.items()
            if isinstance(table, dict)
        }
    if "pipeline_goals" in data:
        values["pipeline_goals"] = _money_table(problems, "pipeline_goals", data["pipeline_goals"])
    pacing = _table(problems, "pacing", data.get("pacing", {}))
    for key in sorted(set(pacing) - {"curve", "exponent", "weights", "pipeline_coverage"}):
        problems.add(f"pacing.{key}", "is not a pacing setting (curve, exponent, weights, pipeline_coverage)")
    if "curve" in pacing:
        values["curve"] = problems.text("pacing.curve", pacing["curve"], CURVES)
    if "exponent" in pacing:
        values["curve_exponent"] = problems.number("pacing.exponent", pacing["exponent"], 0.1, 10)
    if "weights" in pacing:
        values["curve_weights"] = _weights(problems, pacing["weights"])
    if "pipeline_coverage" in pacing:
        values["pipeline_coverage"] = problems.number("pacing.pipeline_coverage", pacing["pipeline_coverage"], 0)
    forecast = _table(problems, "forecast", data.get("forecast", {}))
    for key, attr in (
        ("commit_min_probability", "commit_min_probability"),
        ("best_case_min_probability", "best_case_min_probability"),
        ("default_probability", "default_probability"),
    ):
        if key in forecast:
            values[attr] = problems.number(f"forecast.{key}", forecast[key], 0, 1)
    for key in sorted(set(forecast) - {"commit_min_probability", "best_case_min_probability", "default_probability"}):
        problems.add(f"forecast.{key}", "is not a forecast setting")
    if "columns" in data:
        values["columns"] = _columns(problems, data["columns"])
    if "stages" in data:
        values["stages"] = _stages(problems, data["stages"])
    if "fx" in data:
        values["fx"] = _rates(problems, data["fx"])
    settings = replace(Settings(), **{k: v for k, v in values.items() if v is not None})
    _cross_key_rules(settings, problems)  # in the same list, so one run names every problem
    if problems.items:
        raise ConfigError(source, problems.items)
    return settings


def _rates(problems: _Problems, raw: Any) -> dict[str, float]:
    """[fx]: currency (as the export writes it: 'MXN', 'Euro') -> units of `currency` per unit of it."""
    rates: dict[str, float] = {}
    for name, rate in _table(problems, "fx", raw).items():
        number = problems.number(f"fx.{name}", rate, 0)
        if number is not None and number <= 0:
            problems.add(f"fx.{name}", f"must be above 0, not {rate!r} (1 {name} = how many units of `currency`)")
        elif number is not None:
            rates[name] = number
    return rates


def _weights(problems: _Problems, raw: Any) -> tuple[float, ...] | None:
    if not isinstance(raw, list) or not raw:
        problems.add("pacing.weights", f"must be a list of shares per month or per week, not {raw!r}")
        return None
    numbers = [problems.number(f"pacing.weights[{i}]", v, 0) for i, v in enumerate(raw)]
    if any(n is None for n in numbers):
        return None
    if sum(n for n in numbers if n is not None) <= 0:
        problems.add("pacing.weights", "must not all be zero")
        return None
    return tuple(n for n in numbers if n is not None)


def check_consistency(settings: Settings) -> Settings:
    """Rules that span keys, checked after flags are merged in."""
    problems = _Problems()
    _cross_key_rules(settings, problems)
    if problems.items:
        raise ConfigError(settings.source, problems.items)
    return settings


def _cross_key_rules(settings: Settings, problems: _Problems) -> None:
    # A key with a problem of its own keeps its default here; it is not reported twice.
    if settings.curve == "weights" and not settings.curve_weights and not problems.named("pacing.weights"):
        problems.add("pacing.curve", "is 'weights' but 'pacing.weights' is not set")
    bands_valid = not problems.named("forecast.commit_min") and not problems.named("forecast.best_case_min")
    if bands_valid and settings.best_case_min_probability > settings.commit_min_probability:
        problems.add("forecast.best_case_min_probability", "must not be above 'forecast.commit_min_probability'")


def load_settings(path: Path | None, search_dir: Path | None = None) -> Settings:
    """Read deckgen.toml (the given path, else the one in search_dir if any), validated."""
    if path is None:
        candidate = (search_dir or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            return Settings()
        path = candidate
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot be read ({exc})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"is not valid TOML: {exc}"]) from None
    return parse_settings(data, str(path))


def apply_overrides(settings: Settings, **flags: Any) -> Settings:
    """Command-line flags win over the config; a flag left as None changes nothing."""
    problems = _Problems()
    values: dict[str, Any] = {}
    for name, value in flags.items():
        if value is None or value == () or value == {}:
            continue
        if name == "columns":
            merged = dict(settings.columns)
            merged.update(_columns(problems, dict(value), key=option("columns")))
            values["columns"] = merged
        elif name == "goal":
            values["goal"] = problems.number(option("goal"), value, 0)
        elif name == "fiscal_year_start":
            if not 1 <= int(value) <= 12:
                problems.add(option("fiscal_year_start"), f"must be a month number from 1 to 12, not {value!r}")
            else:
                values[name] = int(value)
        else:
            values[name] = value
    if problems.items:
        raise ConfigError("command line", problems.items)
    return check_consistency(replace(settings, **values))


def parse_money_text(text: str) -> float | None:
    """'1200000', '1,200,000', '1.2M', '800K', '$1.5m' -> float; None when it is not an amount."""
    cleaned = re.sub(r"[\s,$€£₩¥_]", "", text).upper()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMB]?)", cleaned)
    if not match:
        return None
    scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9}[match.group(2)]
    return float(match.group(1)) * scale
