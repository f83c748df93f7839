"""Settings: deckgen.toml and command-line overrides, declared once (Settings), validated once, every problem named."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from collections.abc import Callable
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


def _stages(problems: _Problems, name: str, raw: Any) -> dict[str, StageRule]:
    rules: dict[str, StageRule] = {}
    for stage, spec in _table(problems, name, raw).items():
        key = f"{name}.{stage}"
        spec = _table(problems, key, spec)
        names = [item.name for item in dataclasses.fields(StageRule)]
        for unknown in sorted(set(spec) - set(names)):
            hint = _nearest(unknown, names, f"{key}.")
            problems.add(f"{key}.{unknown}", f"is not a stage setting ({', '.join(names)}){hint}")
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


def _columns(problems: _Problems, key: str, raw: Any) -> dict[str, str]:
    columns: dict[str, str] = {}
    for name, header in _table(problems, key, raw).items():
        if name not in FIELDS:
            problems.add(f"{key}.{name}", f"is not a deckgen field ({', '.join(FIELDS)})")
        elif (text := problems.text(f"{key}.{name}", header)) is not None:
            columns[name] = text
    return columns


def _rates(problems: _Problems, key: str, raw: Any) -> dict[str, float]:
    """[fx]: currency (as the export writes it: 'MXN', 'Euro') -> units of `currency` per unit of it."""
    rates: dict[str, float] = {}
    for name, rate in _table(problems, key, raw).items():
        number = problems.number(f"{key}.{name}", rate, 0)
        if number is not None and number <= 0:
            problems.add(f"{key}.{name}", f"must be above 0, not {rate!r} (1 {name} = how many units of `currency`)")
        elif number is not None:
            rates[name] = number
    return rates


def _weights(problems: _Problems, key: str, raw: Any) -> tuple[float, ...] | None:
    if not isinstance(raw, list) or not raw:
        problems.add(key, f"must be a list of shares per month or per week, not {raw!r}")
        return None
    numbers = [problems.number(f"{key}[{i}]", v, 0) for i, v in enumerate(raw)]
    if any(n is None for n in numbers):
        return None
    if sum(n for n in numbers if n is not None) <= 0:
        problems.add(key, "must not all be zero")
        return None
    return tuple(n for n in numbers if n is not None)


def _text(problems: _Problems, key: str, value: Any) -> str | None:
    return problems.text(key, value)


def _choice(*choices: str) -> Check:
    return lambda problems, key, value: problems.text(key, value, choices)


def _between(lo: float, hi: float | None = None) -> Check:
    return lambda problems, key, value: problems.number(key, value, lo, hi)


def _amount(problems: _Problems, key: str, value: Any) -> float | None:
    return problems.number(key, value, 0)


def _currency(problems: _Problems, key: str, value: Any) -> str | None:
    currency = problems.text(key, value)
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        problems.add(key, f"must be a three-letter code like USD or KRW, not {currency!r}")
    return currency


def _month(problems: _Problems, key: str, value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        problems.add(key, f"must be a month number from 1 to 12, not {value!r}")
        return None
    return value


def _goals(problems: _Problems, key: str, value: Any) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Numbers are the company's goals per quarter; tables ([goals."EMEA"]) a team's, region's or owner's."""
    goals = _table(problems, key, value)
    quarters = {label: amount for label, amount in goals.items() if not isinstance(amount, dict)}
    groups = {
        group: _money_table(problems, f"{key}.{group}", table)
        for group, table in goals.items()
        if isinstance(table, dict)
    }
    return _money_table(problems, key, quarters), groups


def placeholders(template: str) -> list[str]:
    """The names in a record_url's {braces}, each once, in order ('{{' and '}}' are literal braces).

    ValueError, worded for deckgen.toml, when a brace is unmatched or a placeholder is more than a name
    ('{id:>5}', '{id!r}', '{}'). A name may hold spaces and dots ('{Opportunity ID}'), but no ':' or '!'.
    """
    import string

    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise ValueError("has an unmatched brace; write {column} for a value and {{ }} for a brace") from None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.strip() or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"has {shown!r}: a placeholder is a column's name only")
        names.append(name)
    return list(dict.fromkeys(names))


def _record_url(problems: _Problems, key: str, value: Any) -> str | None:
    """A link to a deal in the CRM with {column} placeholders: http(s) only, every placeholder a plain name."""
    url = problems.text(key, value)
    if url is None:
        return None
    example = 'e.g. "https://crm.example.com/deals/{id}"'
    try:
        names = placeholders(url)
    except ValueError as error:
        problems.add(key, f"{error}, {example}")
        return None
    # The address with its placeholders taken out: a scheme, a fixed host, then no space or control character.
    literal = re.sub(r"\{[^{}]*\}", "", url.replace("{{", "").replace("}}", ""))
    host = re.match(r"https?://([^/?#]*)", url, re.IGNORECASE)
    if (
        host is None
        or not host.group(1)
        or "{" in host.group(1)
        or re.search(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]", literal)
    ):
        problems.add(
            key, f"must be an http:// or https:// address with a fixed host and no spaces, {example}, not {url!r}"
        )
        return None
    if not names:
        problems.add(key, f"names no column: put the record's {{column}} in it, {example}")
        return None
    return url


def _owners(problems: _Problems, key: str, raw: Any) -> dict[str, str]:
    """[owners]: owner name as the export writes it -> 'name@example.com' or 'Name <name@example.com>' (the
    address is parsed strictly where it is used)."""
    owners: dict[str, str] = {}
    for name, address in _table(problems, key, raw).items():
        text = problems.text(f"{key}.{name}", address)
        if text is not None and not text.strip():
            problems.add(f"{key}.{name}", "must not be empty: write an e-mail address or leave the owner out")
        elif text is not None:
            owners[name] = text
    return owners


# ------------------------------------------------------------------ the schema: one entry per setting

Check = Callable[[_Problems, str, Any], Any]  # (problems, key as the message names it, value) -> value, or None


@dataclass(frozen=True)
class Option:
    """Where a setting comes from and how it is checked; its type and default are those of its Settings field."""

    key: str | None  # where deckgen.toml has it ('pacing.curve'); None: given on the command line only
    check: Check  # the same validator for deckgen.toml and for the flag
    help: str
    flag: bool  # a command-line flag (and a keyword of deckgen.load_settings) named as the field overrides it
    fills: tuple[str, ...] = ()  # further fields the check fills: it returns one value per field


def setting(
    key: str | None, check: Check, help: str, *, flag: bool = False, fills: tuple[str, ...] = ()
) -> dict[str, Option]:
    """The metadata of a Settings field: its Option."""
    return {"setting": Option(key, check, help, flag, fills)}


@dataclass(frozen=True)
class Settings:
    """Every setting, declared once: its type and default here, and (in `setting(...)`) where deckgen.toml has it,
    whether a flag overrides it, its validator and its help. parse_settings and apply_overrides read this list."""

    company: str = field(default="", metadata=setting("company", _text, "The company's name, on the title slide."))
    currency: str = field(
        default="USD", metadata=setting("currency", _currency, "Three-letter code of the amounts (USD, KRW).")
    )
    fiscal_year_start: int = field(
        default=1, metadata=setting("fiscal_year_start", _month, "First month of the fiscal year, 1-12.", flag=True)
    )
    fiscal_year_named_by: str = field(
        default="end",
        metadata=setting(
            "fiscal_year_named_by",
            _choice("end", "start"),
            "A fiscal year is named by the year it ends or starts in.",
        ),
    )
    date_format: str | None = field(
        default=None, metadata=setting("date_format", _text, "strftime format of the export's dates.")
    )
    sheet: str | None = field(
        default=None, metadata=setting("sheet", _text, "Worksheet of an XLSX export [default: the first].", flag=True)
    )
    goals: dict[str, float] = field(
        default_factory=dict,
        metadata=setting(
            "goals",
            _goals,
            'Bookings goal per quarter ("FY2026 Q4" = 1200000); [goals."EMEA"]: a group\'s.',
            fills=("group_goals",),
        ),
    )
    group_goals: dict[str, dict[str, float]] = field(default_factory=dict)  # [goals."EMEA"]: per group, per quarter
    goal: float | None = field(
        default=None, metadata=setting(None, _amount, "Bookings goal of the current quarter.", flag=True)
    )
    pipeline_goals: dict[str, float] = field(
        default_factory=dict, metadata=setting("pipeline_goals", _money_table, "Pipeline goal per quarter.")
    )
    curve: str = field(
        default="curved", metadata=setting("pacing.curve", _choice(*CURVES), "Bookings pacing curve.", flag=True)
    )
    curve_exponent: float = field(
        default=1.5, metadata=setting("pacing.exponent", _between(0.1, 10), "Exponent of the curved pace.")
    )
    curve_weights: tuple[float, ...] = field(
        default=(), metadata=setting("pacing.weights", _weights, "Shares per month or per week.")
    )
    pipeline_coverage: float = field(
        default=3.0, metadata=setting("pacing.pipeline_coverage", _between(0), "Pipeline wanted per goal.")
    )
    commit_min_probability: float = field(
        default=0.7,
        metadata=setting("forecast.commit_min_probability", _between(0, 1), "Commit: deals at least this likely."),
    )
    best_case_min_probability: float = field(
        default=0.4,
        metadata=setting(
            "forecast.best_case_min_probability", _between(0, 1), "Best case: deals at least this likely."
        ),
    )
    default_probability: float = field(
        default=0.1,
        metadata=setting(
            "forecast.default_probability", _between(0, 1), "Probability of a deal in a stage deckgen does not know."
        ),
    )
    columns: dict[str, str] = field(
        default_factory=dict, metadata=setting("columns", _columns, "Export header of each field.", flag=True)
    )
    stages: dict[str, StageRule] = field(
        default_factory=dict, metadata=setting("stages", _stages, "State, probability and label per stage.")
    )
    fx: dict[str, float] = field(
        default_factory=dict, metadata=setting("fx", _rates, "1 unit of the key's currency = rate x `currency`.")
    )
    query: str | None = field(
        default=None, metadata=setting(None, _text, "SQL run in DuckDB over the input.", flag=True)
    )
    where: str | None = field(
        default=None,
        metadata=setting(None, _text, "SQL condition the deals must meet (a segment), run by DuckDB.", flag=True),
    )
    history: str | None = field(
        default=None,
        metadata=setting(
            "history",
            _text,
            "History store (a DuckDB file): each build records its export there and shows the quarter's trend."
            " Relative to deckgen.toml's folder.",
            flag=True,
        ),
    )
    asks: str | None = field(
        default=None,
        metadata=setting(
            "asks",
            _text,
            "Action register (a CSV of last review's asks): the deck judges each against this export."
            " Relative to deckgen.toml's folder.",
            flag=True,
        ),
    )
    history_wait: float = field(
        default=30.0,
        metadata=setting("history_wait", _between(0, 3600), "Seconds to wait for a store another run is writing."),
    )
    record_url: str | None = field(
        default=None,
        metadata=setting(
            "record_url",
            _record_url,
            "Link to a deal in the CRM for fix lists, e.g. https://crm.example.com/deals/{id}: any {column} of the"
            " export, its value URL-encoded.",
        ),
    )
    owners: dict[str, str] = field(
        default_factory=dict,
        metadata=setting("owners", _owners, "E-mail address per owner, for `check --mail` (owner = address)."),
    )
    owner_email_column: str | None = field(
        default=None,
        metadata=setting("owner_email_column", _text, "Export header of the owners' e-mail addresses."),
    )
    mail_from: str | None = field(
        default=None, metadata=setting("mail_from", _text, "Sender of the `check --mail` drafts.")
    )
    source: str = "defaults"

    def goal_for(self, quarter_label: str) -> float | None:
        """The bookings goal of a quarter: --goal for the current one, else [goals] in the config."""
        key = quarter_key(quarter_label)
        return self.goals.get(key) if key else None

    def group_goals_for(self, quarter_label: str) -> dict[str, float]:
        """Each group's goal for a quarter ([goals."<name>"]), by the group's name."""
        key = quarter_key(quarter_label)
        return {name: table[key] for name, table in self.group_goals.items() if key and key in table}

    def for_group(self, name: str) -> Settings:
        """The settings of one group's deck: its own goals from [goals."<name>"], else none (not the company's)."""
        return replace(self, goals=dict(self.group_goals.get(name, {})), goal=None, pipeline_goals={})

    def pipeline_goal_for(self, quarter_label: str, bookings_goal: float | None) -> float | None:
        key = quarter_key(quarter_label)
        if key and key in self.pipeline_goals:
            return self.pipeline_goals[key]
        return None if bookings_goal is None else bookings_goal * self.pipeline_coverage


OPTIONS: dict[str, Option] = {
    item.name: item.metadata["setting"] for item in dataclasses.fields(Settings) if "setting" in item.metadata
}
_TABLES_LISTED = ("pacing",)  # tables whose unknown-key message lists their settings (forecast's names are long)
# Tables deckgen.toml used to accept though nothing read them: refused, saying where those choices are made.
_NOT_READ = {
    "deck": f"is not a deckgen setting: the template, language and charts are chosen when building "
    f"({option('template')}, {option('lang')}, {option('charts')})",
    "meeting": f"is not a deckgen setting: the meeting is given when building or attaching "
    f"({option('meeting')}, {option('start')}, {option('duration')})",
}


def _nearest(word: str, names: list[str], prefix: str = "") -> str:
    """'; did you mean 'goals'?' for 'golas' ('pacing.curve' for 'curve'), or '' when no name is close."""
    leaf = [name for name in names if name.rpartition(".")[2] == word]
    match = leaf or difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f"; did you mean '{prefix}{match[0]}'?" if match else ""


def parse_settings(data: dict[str, Any], source: str) -> Settings:
    """Validate a parsed deckgen.toml against OPTIONS; raise ConfigError listing every problem."""
    problems = _Problems()
    keys = [item.key for item in OPTIONS.values() if item.key is not None]
    top = list(dict.fromkeys(key.partition(".")[0] for key in keys))
    for key in sorted(set(data) - set(top)):
        problems.add(key, _NOT_READ.get(key) or f"is not a deckgen setting{_nearest(key, [*top, *keys])}")
    values: dict[str, Any] = {"source": source}
    tables: dict[str, dict[str, Any]] = {}
    for attr, item in OPTIONS.items():
        if item.key is None:
            continue
        table, _, name = item.key.rpartition(".")
        if table and table not in tables:
            tables[table] = _table(problems, table, data.get(table, {}))
            names = [key.rpartition(".")[2] for key in keys if key.startswith(f"{table}.")]
            listed = f" ({', '.join(names)})" if table in _TABLES_LISTED else ""
            for unknown in sorted(set(tables[table]) - set(names)):
                hint = _nearest(unknown, names, f"{table}.")
                problems.add(f"{table}.{unknown}", f"is not a {table} setting{listed}{hint}")
        holder = tables[table] if table else data
        if name in holder:
            checked = item.check(problems, item.key, holder[name])
            values.update(zip((attr, *item.fills), checked, strict=True) if item.fills else {attr: checked})
    settings = replace(Settings(), **{k: v for k, v in values.items() if v is not None})
    _cross_key_rules(settings, problems)  # in the same list, so one run names every problem
    if problems.items:
        raise ConfigError(source, problems.items)
    return settings


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


MAX_TOML_DEPTH = 50  # arrays and inline tables inside each other; honest files use two or three


def nesting(text: str) -> tuple[int, int]:
    """(deepest nesting of arrays and inline tables, its line), outside strings and comments: a file nested
    thousands deep would exhaust the TOML reader's recursion before it could say where."""
    depth = deepest = where = 0
    line, index, size = 1, 0, len(text)
    while index < size:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", index)
            index = size if end < 0 else end
            continue
        elif char in "\"'":
            quote = text[index : index + 3] if text[index : index + 3] in ('"""', "'''") else char
            index += len(quote)
            while index < size and not text.startswith(quote, index):
                if text[index] == "\\" and quote[0] == '"':
                    index += 1
                elif text[index] == "\n":
                    line += 1
                    if len(quote) == 1:
                        break  # an unclosed string: the TOML reader says so
                index += 1
            index += len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, line
        elif char in "]}":
            depth = max(depth - 1, 0)
        index += 1
    return deepest, where


def read_toml(text: str, source: str) -> dict[str, Any]:
    """tomllib.loads, with files nested deeper than MAX_TOML_DEPTH refused in one line naming the file."""
    deepest, line = nesting(text)
    if deepest > MAX_TOML_DEPTH:
        raise ConfigError(
            source,
            [f"line {line}: arrays or tables nested {deepest} deep; at most {MAX_TOML_DEPTH} levels are read"],
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [f"is not valid TOML: {exc}"]) from None
    except RecursionError:
        raise ConfigError(source, [f"nested too deep to read; at most {MAX_TOML_DEPTH} levels are read"]) from None


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
    data = read_toml(text, str(path))
    settings = parse_settings(data, str(path))
    if settings.history is not None and not Path(settings.history).is_absolute():  # beside the config, wherever run
        settings = replace(settings, history=str(path.parent / settings.history))
    if settings.asks is not None and not Path(settings.asks).is_absolute():
        settings = replace(settings, asks=str(path.parent / settings.asks))
    return settings


def apply_overrides(settings: Settings, **flags: Any) -> Settings:
    """Command-line flags win over the config, checked by the config's validators; a flag left as None changes
    nothing, and a table given as flags (columns) adds to the config's."""
    problems = _Problems()
    values: dict[str, Any] = {}
    for name, value in flags.items():
        if value is None or value == () or value == {}:
            continue
        item = OPTIONS.get(name)
        if item is None or not item.flag:
            raise TypeError(f"{name!r} is not a setting a flag overrides")
        checked = item.check(problems, option(name), dict(value) if isinstance(value, dict) else value)
        current = getattr(settings, name)
        if checked is not None:
            values[name] = {**current, **checked} if isinstance(current, dict) else checked
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
