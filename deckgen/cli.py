"""The `deckgen` command line: parse options, call one library function, print, map errors to exit codes."""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from deckgen import __version__
from deckgen.errors import DeckgenError, OptionError, OutputError, SelfCheckFailed, worded
from deckgen.options import FIRST_YEAR, LAST_YEAR
from deckgen.textutil import one_line

if TYPE_CHECKING:
    from deckgen.api import Review
    from deckgen.history.store import Added
    from deckgen.options import Appendix, ChartStyle, Language, Written

METRICS_FINDINGS = 5  # per owner in `metrics`; `check` lists every finding
# How the command line says each option a library message names (deckgen.errors.option marks it by its library name).
FLAGS = {
    "previous": "--previous",
    "columns": "--column",
    "goal": "--goal",
    "fiscal_year_start": "--fiscal-year-start",
    "sheet": "--sheet",
    "query": "--query",
    "where": "--where",
    "output": "-o",
    "template": "--template",
    "charts": "--charts",
    "lang": "--lang",
    "appendix": "--appendix",
    "jobs": "--jobs",
    "pdf": "--pdf",
    "invite": "--invite",
    "meeting": "--meeting-start",
    "by": "--by",
    "same_scale": "--same-scale",
    "force": "--force",
    "start": "--start",
    "end": "--end",
    "duration": "--duration",
    "timezone": "--timezone",
    "organizer": "--organizer",
    "attendees": "--attendee",
    "url": "--url",
    "existing": "--ics",
    "history": "--history",
    "as_of": "--as-of",
    "title": "--title",
    "location": "--location",
    "asks": "--asks",
    "due": "--due",
    "format": "--format",
    "mail": "--mail",
    "mail_from": "--mail-from",
    "email_column": "--email-column",
}
# Exit codes of library errors, most specific first; any other DeckgenError is bad input, a config or an option: 2.
# config.CURVES, written out so that `deckgen --help` need not build the settings schema (~12 ms); a test keeps
# the two equal.
CURVES = ("linear", "curved", "weights", "history")
EXIT_CODES: tuple[tuple[type[DeckgenError], int], ...] = ((SelfCheckFailed, 70), (OutputError, 73))


# The signals that stop a build as Ctrl-C does, with the line each one says: SIGTERM (a service manager,
# `timeout`, `kill`) and SIGHUP (the terminal was closed; not on Windows). Their shell exit code is 128 + number.
STOPS: dict[int, str] = {signal.SIGINT: "Interrupted.", signal.SIGTERM: "Terminated."}
if hasattr(signal, "SIGHUP"):
    STOPS[signal.SIGHUP] = "Hangup."


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the process is: stopped as Ctrl-C is (temporary files removed, workers
    and LibreOffice stopped)."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminated(signum: int, _frame: object) -> None:
    if os.getpid() != _MAIN[0]:  # a worker forked before it set its own handler: it just exits, silently
        raise SystemExit(128 + signum)
    raise Terminated(signum)


_MAIN = [os.getpid()]  # the process that handles SIGTERM as an interrupt (set when main() installs the handler)


_OPEN_LINE = [""]  # a progress line being rewritten on the terminal, not yet ended (`build --by`)


class _Stopped(BaseException):
    """An interrupt carried past click, which would print a blank line before any word of deckgen's."""


class _Deckgen(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as stop:
            raise _Stopped from stop


def _interrupted(error: BaseException) -> int:
    """One line for Ctrl-C, SIGTERM or SIGHUP, and the shell's exit code for it: 128 + the signal's number.

    On a terminal the line first clears its own: the "^C" the terminal echoed, or a `--by` progress line being
    rewritten. A terminal that has gone (SIGHUP) takes no line at all: the exit code alone tells.
    """
    stop = next((e for e in (error, error.__cause__) if isinstance(e, KeyboardInterrupt)), error)
    signum = stop.signum if isinstance(stop, Terminated) else signal.SIGINT
    try:
        clear = ""
        if sys.stderr.isatty():  # the progress line kept whole (without the "^C" after it), else the line cleared
            clear = f"\r{_OPEN_LINE[0]}\x1b[K\n" if _OPEN_LINE[0] else "\r\x1b[K"
        click.echo(clear + STOPS[signum], err=True)
    except (OSError, ValueError):  # a closed terminal (EIO), a reader gone, closed streams
        pass
    return 128 + signum


class Problems(click.ClickException):
    """A command's own finding: `check --strict` and `template check` found problems."""

    exit_code = 1


class SomeFailed(click.ClickException):
    """Some `build --by` decks failed; the others are written."""

    exit_code = 4


def _columns(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        field, sep, header = value.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise click.BadParameter(f"{value!r} is not FIELD=HEADER, e.g. --column amount='Est. revenue'")
        mapping[field.strip()] = header.strip()
    return mapping


def _money(_ctx: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from deckgen.config import parse_money_text

    amount = parse_money_text(value)
    if amount is None:
        raise click.BadParameter(f"{value!r} is not an amount; write 1200000, 1.2M or 800K")
    return amount


class Day(click.DateTime):
    """A YYYY-MM-DD date between the years deckgen's quarters can hold (FIRST_YEAR to LAST_YEAR)."""

    name = "date"

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        day = super().convert(value, param, ctx)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.fail(f"{value!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}", param, ctx)
        return day


def model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that computes metrics; None means 'keep the config value'."""
    options = [
        click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path)),
        click.option("--previous", type=click.Path(path_type=Path), help="Last week's export, for the bridge."),
        click.option("--as-of", type=Day(), help="Report date, YYYY-MM-DD [default: today]."),
        click.option("--goal", callback=_money, help="Bookings goal of the quarter (1200000, 1.2M, 800K)."),
        click.option("--fiscal-year-start", type=click.IntRange(1, 12), help="First month of the fiscal year, 1-12."),
        click.option("--curve", type=click.Choice(CURVES), help="Bookings pacing curve [default: curved]."),
        click.option(
            "--column",
            "columns",
            multiple=True,
            callback=_columns,
            metavar="FIELD=HEADER",
            help="Map a header to a field, e.g. --column amount=금액 (repeatable).",
        ),
        click.option("--sheet", help="Worksheet of an XLSX export [default: the first]."),
        click.option(
            "--query",
            metavar="SQL",
            help="Read the result of this DuckDB query instead: `input` is the INPUT file or Parquet folder, "
            "or name the tables of a .duckdb INPUT.",
        ),
        click.option(
            "--where",
            metavar="EXPR",
            help="Only the deals meeting this SQL condition, e.g. \"Region = 'EMEA' and amount >= 50000\" (export "
            "columns or deckgen's fields; stated on the title slide).",
        ),
        click.option("--config", type=click.Path(path_type=Path), help="Settings file [default: ./deckgen.toml]."),
        click.option(
            "--history",
            metavar="STORE",
            help="History store (a DuckDB file, created if new): record this export as its week and show the "
            "quarter's trend; its previous week stands in for --previous.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def meeting_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that describe the review meeting, shared by `attach` and `build --invite`."""
    options = [
        click.option("--duration", type=int, help="Length in minutes [default: 60]."),
        click.option("--end", "end", metavar="DATETIME", help="End time, instead of --duration."),
        click.option("--timezone", metavar="TZ", help="IANA time zone, e.g. Asia/Seoul [default: this machine's]."),
        click.option("--organizer", metavar="EMAIL", help="Who sends the invite: 'Name <name@example.com>'."),
        click.option("--attendee", "attendees", multiple=True, metavar="EMAIL", help="Invitee (repeatable)."),
        click.option("--location", help="Room or video-call link."),
        click.option("--description", help="Text of the invite, above the deck's headlines."),
        click.option(
            "--url", "link", metavar="URL", help="Link to the deck on a shared drive, instead of inlining it."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _review(
    input_path: Path,
    previous: Path | None,
    as_of: datetime | None,
    config: Path | None,
    max_findings: int | None,
    judge_asks: bool = True,
    **flags: Any,
) -> Review:
    from dataclasses import replace

    from deckgen.api import load_settings, review

    settings = load_settings(config, **flags)
    if not judge_asks:
        settings = replace(settings, asks=None)
    return review(
        input_path, settings, as_of.date() if as_of is not None else None, previous, max_findings=max_findings
    )


FIX_FLAGS = {
    "by": "--by",
    "output": "-o",
    "file_format": "--format",
    "mail": "--mail",
    "mail_from": "--mail-from",
    "email_column": "--email-column",
    "lang": "--lang",
}


def fix_list_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`check`'s options for fix lists per owner, gathered into one `fix_lists` argument."""
    options = [
        click.option(
            "--by", metavar="COLUMN", help="Write each owner's (team's, ...) fix list into -o DIR, with an index."
        ),
        click.option("-o", "--output", type=click.Path(path_type=Path), help="With --by: the folder to write to."),
        click.option(
            "--format",
            "file_format",
            type=click.Choice(["xlsx", "csv"]),
            help="With --by: the fix lists as workbooks or CSV files [default: xlsx].",
        ),
        click.option("--mail", is_flag=True, help="With --by owner: an e-mail draft (.eml) per owner."),
        click.option(
            "--mail-from", metavar="EMAIL", help="With --mail: the sender [default: mail_from in the config]."
        ),
        click.option(
            "--email-column",
            metavar="HEADER",
            help="With --by owner: the export's column of the owners' e-mail addresses "
            "[default: a header like 'Owner Email'].",
        ),
        click.option(
            "--lang",
            type=click.Choice(["en", "ko"]),
            help="With --by: the lists' and mails' language; with --asks: the asks' [default: en].",
        ),
    ]

    def gather(**kwargs: Any) -> Any:
        return command(fix_lists={name: kwargs.pop(name) for name in FIX_FLAGS}, **kwargs)

    wrapped = functools.update_wrapper(gather, command)
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


@click.group(cls=_Deckgen, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="deckgen")
def cli() -> None:
    """Turn the weekly CRM pipeline export into the executive sales review.

    \b
    Examples:
      deckgen metrics samples/pipeline-this-week.csv --previous samples/pipeline-last-week.csv
      deckgen metrics export.xlsx --goal 1.2M --as-of 2026-11-27 --format json
      deckgen check export.csv --strict
      deckgen build export.csv --previous last-week.csv --template corporate.pptx
      deckgen build export.csv --history sales-history.duckdb
      deckgen template init my-template
    """


ASKS = click.option(
    "--asks",
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="Last review's action register (CSV): judge each ask against this export [default: asks in deckgen.toml].",
)


@cli.command()
@model_options
@ASKS
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A readable summary, or JSON with DESIGN.md's keys.",
)
def metrics(
    input_path: Path, previous: Path | None, as_of: datetime | None, config: Path | None, output: str, **flags: Any
) -> None:
    """Compute pacing, the four key metrics, the forecast and the week-over-week bridge.

    \b
    Examples:
      deckgen metrics export.csv --goal 1.2M
      deckgen metrics export.csv --previous last-week.csv --format json > metrics.json
      deckgen metrics export.csv --previous last-week.csv --asks actions.csv --format json
      deckgen metrics hubspot.xlsx --sheet Deals --column owner="Deal owner"
    """
    result = _review(input_path, previous, as_of, config, METRICS_FINDINGS, **flags)
    if output == "json":
        import json

        from deckgen.render.text import metrics_json

        # One line: the C encoder, 10x faster than indenting; pipe through `jq` to read it.
        click.echo(json.dumps(metrics_json(result.metrics), ensure_ascii=False))
    else:
        from deckgen.render.text import metrics_table

        click.echo(metrics_table(result.metrics))
    _notes(result.metrics.notes)


@cli.command()
@model_options
@click.option("--strict", is_flag=True, help="Exit with status 1 when anything is found.")
@click.option(
    "--asks",
    "register",
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="Also write the findings as next review's action register (CSV), one ask per finding per deal.",
)
@click.option("--due", type=Day(), help="Due date of the register's asks, YYYY-MM-DD [default: as-of + 7 days].")
@click.option("--force", is_flag=True, help="With --asks: replace an existing register.")
@fix_list_options
def check(
    input_path: Path,
    previous: Path | None,
    as_of: datetime | None,
    config: Path | None,
    strict: bool,
    register: Path | None,
    due: datetime | None,
    force: bool,
    fix_lists: dict[str, Any],
    **flags: Any,
) -> None:
    """Data hygiene: what each owner must fix (missing amounts, past-due deals, duplicates, ...).

    \b
    Examples:
      deckgen check export.csv
      deckgen check export.csv --strict && deckgen metrics export.csv
      deckgen check export.csv --asks actions-2026-12-11.csv
      deckgen check export.csv --by owner -o fixes/
      deckgen check export.csv --by owner -o fixes/ --mail --mail-from "Ann Lee <ann@example.com>"
    """
    # --lang also says the language of the register's asks; every other fix-list flag makes fix lists.
    lang = fix_lists["lang"] or "en"
    if any(value for name, value in fix_lists.items() if name != "lang" or register is None):
        if register is not None or due is not None or force:
            raise click.UsageError("--asks and --by write different files: run deckgen check once for each")
        _write_fix_lists(input_path, previous, as_of, config, strict, fix_lists, flags)
        return
    if register is None and (due is not None or force):
        raise click.UsageError(f"{'--due' if due is not None else '--force'} goes with --asks FILE")
    if register is not None:  # before the export is read: a register that cannot be written costs nothing
        from deckgen.api import check_register_output

        try:
            check_register_output(register, force, [input_path, previous, config, flags.get("history")])
        except OptionError as error:
            raise _usage_error(error) from None
    result = _review(input_path, previous, as_of, config, None, judge_asks=False, **flags)
    from deckgen.render.text import hygiene_report

    click.echo(hygiene_report(result.metrics))
    _notes(result.metrics.notes)
    if register is not None:
        from deckgen.api import write_register

        try:
            written = write_register(result, register, due.date() if due is not None else None, force=force, lang=lang)
        except OptionError as error:
            raise _usage_error(error) from None
        _notes(list(written.notes))
        count = f"{written.asks} ask{'s' if written.asks != 1 else ''}"
        click.echo(
            one_line(f"{written.path}: {count} for {written.owners} owner(s), due {written.due.isoformat()}"), err=True
        )
    if strict and any(result.metrics.hygiene.counts.values()):
        total = sum(result.metrics.hygiene.counts.values())
        raise Problems(f"{total} hygiene finding(s); fix them in the CRM and export again")


def _write_fix_lists(
    input_path: Path,
    previous: Path | None,
    as_of: datetime | None,
    config: Path | None,
    strict: bool,
    fix_lists: dict[str, Any],
    flags: dict[str, Any],
) -> None:
    """`check --by COLUMN -o DIR`: the fix lists, the index and (--mail) the drafts; each file's name as written."""
    from deckgen.api import load_settings
    from deckgen.fixes import write_fix_lists

    options = dict(fix_lists)
    by, output = options.pop("by"), options.pop("output")
    options["file_format"] = options["file_format"] or "xlsx"
    options["lang"] = options["lang"] or "en"
    if options["mail_from"] is not None and not options["mail"]:
        raise click.UsageError("--mail-from goes with --mail: deckgen check INPUT --by owner -o fixes/ --mail")
    if by is None or output is None:
        given = next(FIX_FLAGS[name] for name, value in fix_lists.items() if value and name in FIX_FLAGS)
        missing = "--by COLUMN" if by is None else "-o DIR"
        raise click.UsageError(f"{given} needs {missing}: deckgen check INPUT --by owner -o fixes/")
    from dataclasses import replace

    settings = replace(load_settings(config, **flags), asks=None)  # last review's asks are judged on the deck
    try:
        written = write_fix_lists(
            input_path,
            output,
            by,
            previous=previous,
            settings=settings,
            as_of=as_of.date() if as_of else None,
            **options,
        )
    except OptionError as error:
        raise _usage_error(error) from None
    for group in written.groups:
        click.echo(str(group.file))
        if group.mail is not None:
            click.echo(str(group.mail))
    click.echo(str(written.index))
    _notes([worded(note, FLAGS) for note in written.marked])
    if strict and written.findings:
        raise Problems(f"{written.findings} hygiene finding(s); fix them in the CRM and export again")


@cli.command()
@model_options
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Deck file [default: sales-review-<as-of>.pptx].")
@click.option(
    "--template",
    type=click.Path(path_type=Path),
    help="A template folder (template.pptx + slides.toml) or a .pptx [default: the built-in one].",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF through LibreOffice.")
@click.option("--title", help="Deck title [default: '<company> Sales Review · <quarter>'].")
@click.option("--meeting-date", type=Day(), help="Date of the review meeting, YYYY-MM-DD.")
@click.option(
    "--charts",
    type=click.Choice(["image", "native"]),
    help="Every chart as a picture, or as an editable PowerPoint chart [default: each slide's chart_style].",
)
@click.option("--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True, help="Deck language.")
@click.option(
    "--appendix",
    type=click.Choice(["include", "none"]),
    default="include",
    show_default=True,
    help="The appendix slides (detail behind the story) after the main ones, or none.",
)
@click.option("--jobs", type=click.IntRange(1, 64), help="Processes drawing charts [default: the number of cores].")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
@click.option("-v", "--verbose", is_flag=True, help="Say which template layout and placeholders each slide uses.")
@click.option("--by", metavar="COLUMN", help="One deck per team, region, owner, ... (+ the overall deck) into -o DIR.")
@click.option("--same-scale", is_flag=True, help="With --by: the group decks' charts share their axes.")
@ASKS
@click.option("--invite", type=click.Path(path_type=Path), help="Also write the meeting invite: OUT.ics or OUT.eml.")
@click.option("--meeting-start", metavar="DATETIME", help="Start of the review meeting, for --invite.")
@meeting_options
def build(
    input_path: Path,
    previous: Path | None,
    as_of: datetime | None,
    config: Path | None,
    output: Path | None,
    template: Path | None,
    pdf: bool,
    title: str | None,
    meeting_date: datetime | None,
    charts: ChartStyle | None,
    lang: Language,
    appendix: Appendix,
    jobs: int | None,
    quiet: bool,
    verbose: bool,
    by: str | None,
    same_scale: bool,
    invite: Path | None,
    meeting_start: str | None,
    duration: int | None,
    end: str | None,
    timezone: str | None,
    organizer: str | None,
    attendees: tuple[str, ...],
    location: str | None,
    description: str | None,
    link: str | None,
    **flags: Any,
) -> None:
    """Build the weekly review deck (.pptx, optionally .pdf) from this week's export.

    \b
    Examples:
      deckgen build export.csv --previous last-week.csv
      deckgen build export.xlsx -o review.pptx --pdf --meeting-date 2026-12-01
      deckgen build export.csv --template corporate.pptx -v
      deckgen build export.csv --template my-template/ --charts native --lang ko
      deckgen build export.csv --meeting-start "2026-12-01 09:00" --timezone Asia/Seoul \\
          --organizer ann@example.com --attendee bob@example.com --invite review.ics
      deckgen build export.csv --by team --same-scale -o decks/
      deckgen build export.csv --previous last-week.csv --asks actions.csv
    """
    from deckgen.api import load_settings
    from deckgen.build import BuiltDeck
    from deckgen.build import build as build_decks
    from deckgen.options import DeckOptions, MeetingDetails

    meeting = None
    if meeting_start is not None:
        meeting = MeetingDetails(
            start=meeting_start,
            duration=duration,
            end=end,
            timezone=timezone,
            organizer=organizer,
            attendees=attendees,
            location=location,
            description=description,
            url=link,
        )
    try:
        options = DeckOptions(
            output=output,
            template=template,
            title=title,
            meeting_date=meeting_date.date() if meeting_date else None,
            charts=charts,
            lang=lang,
            appendix=appendix,
            jobs=jobs,
            pdf=pdf,
            invite=invite,
            meeting=meeting,
            by=by,
            same_scale=same_scale,
            progress=_progress(quiet),
            explain=(lambda line: click.echo(line, err=True)) if verbose else None,
            written=_written,
            group_progress=_deck_counter(quiet),
        )
        settings = load_settings(config, **flags)
        day = as_of.date() if as_of is not None else None
        result = build_decks(input_path, options, previous=previous, settings=settings, as_of=day)
    except OptionError as error:
        raise _usage_error(error) from None
    if isinstance(result, BuiltDeck):
        return  # its files were told as they were written
    from deckgen.batch import summary_table

    _notes(result.notes)
    click.echo(summary_table(result, FLAGS))
    if result.failed:
        failed, total = len(result.failed), len(result.decks)
        raise SomeFailed(f"{failed} of {total} decks failed (see above); the others are written")


def _written(file: Written) -> None:
    """A file `build` has put in place: its notes, then its name (a deck's with its slide count)."""
    _notes(list(file.notes))
    click.echo(one_line(f"{file.path} ({file.slides} slides)" if file.slides is not None else str(file.path)))


def _deck_counter(quiet: bool) -> Callable[[int, int, str], None]:
    """`build --by`: one progress line on a terminal, rewritten as the decks are done."""
    show = sys.stderr.isatty() and not quiet

    def progress(done: int, total: int, name: str) -> None:
        if show:
            line = f"… {done}/{total} decks ({name})"
            _OPEN_LINE[0] = line if done != total else ""  # first: an interrupt may come as soon as it shows
            click.echo(f"\r{line}\x1b[K", err=True, nl=done == total)

    return progress


def _usage_error(error: OptionError) -> click.UsageError:
    """Options that do not go together are a usage error: shown with the command's usage, exit 2."""
    text = error.message(FLAGS)
    if error.option is not None:
        return click.BadParameter(text, param_hint=FLAGS.get(error.option, error.option))
    return click.UsageError(text)


@cli.command()
@click.argument("deck", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="OUT.ics or OUT.eml.")
@click.option("--title", help="Meeting title [default: the deck's title].")
@click.option("--start", metavar="DATETIME", help="Start, 'YYYY-MM-DD HH:MM' in --timezone.")
@meeting_options
@click.option(
    "--ics", "existing", type=click.Path(path_type=Path), help="A meeting exported from a calendar, to update."
)
def attach(deck: Path, output: Path, existing: Path | None, **options: Any) -> None:
    """Attach the deck to the review meeting: an invite (.ics) or an e-mail ready to send (.eml).

    \b
    Examples:
      deckgen attach review.pptx --title "Weekly pipeline review" --start "2026-12-01 09:00" \\
          --timezone Asia/Seoul --organizer ann@example.com --attendee bob@example.com -o review.ics
      deckgen attach review.pptx --ics weekly-review.ics --start "2026-12-01 09:00" -o review.eml
    """
    from deckgen.invite.attach import write_invite
    from deckgen.options import MeetingDetails

    link = options.pop("link")
    notes = write_invite(deck, output, MeetingDetails(url=link, **options), existing)
    _notes(notes)
    click.echo(str(output))


@cli.group()
def template() -> None:
    """Start, inspect and check slide templates.

    \b
    Examples:
      deckgen template init my-template
      deckgen template inspect corporate.pptx
      deckgen template check my-template
    """


@template.command("init", short_help="Write an editable copy of the default template.")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files the folder already has.")
def template_init(folder: Path, force: bool) -> None:
    """Write an editable copy of the default template (template.pptx, slides.toml, slides.ko.toml) to FOLDER."""
    from deckgen.deck.inspect import init_template

    for path in init_template(folder, force):
        click.echo(str(path))
    click.echo(f"edit them, then: deckgen template check {folder} && deckgen build INPUT --template {folder}", err=True)


@template.command("inspect", short_help="List a .pptx's layouts, placeholders and roles.")
@click.argument("pptx", metavar="FILE", type=click.Path(path_type=Path))
def template_inspect(pptx: Path) -> None:
    """List the layouts of a .pptx (or template folder), their placeholders and the role each layout serves."""
    from deckgen.deck.inspect import inspect_template

    click.echo(inspect_template(pptx))


@template.command("check", short_help="Find every mistake in a template before rendering.")
@click.argument("folder", type=click.Path(path_type=Path))
def template_check(folder: Path) -> None:
    """Check a template folder (or a .pptx with the default slides) before rendering: one line per problem."""
    from deckgen.deck.check import check_template

    problems, specs, slides = check_template(folder)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise Problems(f"{len(problems)} problem(s) in {folder}")
    click.echo(f"{folder}: {specs} slide spec{'s' if specs != 1 else ''}, {slides} slides checked, no problems")


@cli.group()
def history() -> None:
    """Keep every weekly export in a history store (one DuckDB file) for the quarter's trend.

    \b
    Examples:
      deckgen history add sales-history.duckdb exports/pipeline-2026-*.csv
      deckgen history list sales-history.duckdb
      deckgen build export.csv --history sales-history.duckdb
      deckgen history remove sales-history.duckdb --as-of 2026-11-20
      deckgen history export sales-history.duckdb -o history-parquet/
    """


STORE = click.argument("store", type=click.Path(path_type=Path))


@history.command("add", short_help="Add weekly exports (backfill many at once).")
@STORE
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...", type=click.Path(path_type=Path))
@click.option(
    "--as-of",
    type=Day(),
    help="The week of a single EXPORT, YYYY-MM-DD [default: the date in each file name].",
)
@click.option("--config", type=click.Path(path_type=Path), help="Settings file [default: ./deckgen.toml].")
@click.option(
    "--column", "columns", multiple=True, callback=_columns, metavar="FIELD=HEADER", help="Map a header to a field."
)
@click.option("--sheet", help="Worksheet of XLSX exports [default: the first].")
def history_add(
    store: Path,
    exports: tuple[Path, ...],
    as_of: datetime | None,
    config: Path | None,
    columns: dict[str, str],
    sheet: str | None,
) -> None:
    """Add each EXPORT to STORE (created if new) as the week its file name dates (pipeline-2026-11-20.csv,
    export_20261120.xlsx), or --as-of for a single file. A week already stored is replaced; the same content
    again changes nothing."""
    from deckgen.api import load_settings
    from deckgen.weekly import add_exports

    settings = load_settings(config, columns=columns, sheet=sheet)
    try:
        add_exports(store, exports, settings, as_of.date() if as_of else None, _told_added)
    except OptionError as error:
        raise _usage_error(error) from None


def _told_added(export: Path, added: Added) -> None:
    week = added.week
    said = {"added": "added", "replaced": "replaced the week stored before", "unchanged": "unchanged, already stored"}
    click.echo(f"{week.as_of}  {week.deals:>9,} deals  {export}: {said[added.outcome]}")


@history.command("list", short_help="The stored weeks.")
@STORE
def history_list(store: Path) -> None:
    """The weeks STORE holds: as-of, deals, source file, its SHA-256, when added (UTC)."""
    from deckgen.history.store import Store

    with Store.open(store) as opened:
        weeks = opened.weeks()
        per_deal_week = opened.bytes_per_deal_week()
    if not weeks:
        click.echo(f"{store}: no weeks yet; add exports with: deckgen history add {store} EXPORT...")
        return
    click.echo(f"{'week':<10}  {'deals':>9}  {'added (UTC)':<19}  {'sha256':<64}  source")
    for week in weeks:
        added = week.added_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{week.as_of}  {week.deals:>9,}  {added:<19}  {week.sha256:<64}  {week.source}")
    size = store.stat().st_size
    count = f"{len(weeks)} week{'s' if len(weeks) != 1 else ''}"
    click.echo(f"{count}, {size / 1e6:,.1f} MB ({per_deal_week:,.0f} bytes per deal-week)", err=True)


@history.command("remove", short_help="Remove one week.")
@STORE
@click.option("--as-of", type=Day(), required=True, help="The week to remove, YYYY-MM-DD.")
def history_remove(store: Path, as_of: datetime) -> None:
    """Remove the week --as-of from STORE; the other weeks stay as they are."""
    from deckgen.history.store import Store

    with Store.open(store, write=True) as opened:
        week = opened.remove(as_of.date())
    click.echo(f"removed {week.as_of} ({week.deals:,} deals from {week.source})")


@history.command("export", short_help="Write the stored weeks as Parquet.")
@STORE
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="A new folder.")
def history_export(store: Path, output: Path) -> None:
    """Write STORE as Parquet into a new folder: weeks.parquet (one row per week) and deals.parquet (one row per
    deal per week, with its as_of), for BI tools and notebooks."""
    from deckgen.history.store import Store

    with Store.open(store) as opened:
        for path in opened.export(output):
            click.echo(str(path))


def _progress(quiet: bool) -> Callable[[str], None]:
    """Progress lines on stderr when a person is watching; nothing in pipes, logs or with -q."""
    if quiet or not sys.stderr.isatty():
        return lambda _message: None
    return lambda message: click.echo(f"… {message}", err=True)


def _notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"note: {one_line(note)}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every DeckgenError becomes one line on stderr and its exit code, never a traceback."""
    try:
        for signum in STOPS.keys() - {signal.SIGINT}:
            # A caller's own handler is left alone, and so is an ignored signal (`nohup` ignores SIGHUP).
            if signal.getsignal(signum) == signal.SIG_DFL:
                _MAIN[0] = os.getpid()
                signal.signal(signum, _terminated)
        cli.main(args=argv, prog_name="deckgen", standalone_mode=False)
    except _Stopped as exc:
        sys.exit(_interrupted(exc))
    except click.exceptions.Abort as exc:
        sys.exit(_interrupted(exc))  # an interrupt while click parsed the arguments
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DeckgenError as exc:
        click.echo(f"Error: {one_line(exc.message(FLAGS))}", err=True)
        sys.exit(next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), 2))
    except KeyboardInterrupt as exc:
        sys.exit(_interrupted(exc))
    except MemoryError:
        click.echo("Error: not enough memory for this export; try a machine with more memory", err=True)
        sys.exit(3)
    except Exception as exc:  # a bug: say so in one line; DECKGEN_DEBUG=1 shows the traceback
        if os.environ.get("DECKGEN_DEBUG"):
            raise
        click.echo(
            one_line(f"Error: internal error ({type(exc).__name__}: {exc}); rerun with DECKGEN_DEBUG=1 and report it"),
            err=True,
        )
        sys.exit(70)


def _ignore_stops() -> None:
    for signum in STOPS:
        signal.signal(signum, signal.SIG_IGN)


def console_main() -> None:
    """The `deckgen` command: main(), then exit without Python's teardown.

    Freeing pandas, Matplotlib and python-pptx objects one by one at exit takes about 0.2 s that the operating
    system does at once. Every file is written and closed by then, the chart workers are joined, and
    stdout and stderr are flushed first.
    """
    code = 0
    gc.set_threshold(10_000, 50, 100)  # this process's own: fewer collections while building (see pool.tune_gc)
    try:
        main()
        _ignore_stops()  # decided: a late Ctrl-C must not turn this into a traceback
    except SystemExit as exc:
        if isinstance(exc.code, str):
            click.echo(exc.code, err=True)
            code = 1
        else:
            code = exc.code or 0
    except KeyboardInterrupt as exc:  # in the instant between main()'s end and the line above: one line, no traceback
        code = _interrupted(exc)
    _ignore_stops()
    if code != 0:
        sys.exit(code)  # after an error, the full exit: worker pools and their semaphores are cleaned up
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a reader that went away, or closed streams: nothing left to say
        sys.exit(1)
    if "multiprocessing" in sys.modules:
        # What Python's exit would do for the worker pools: their temporary folder (pymp-*) is removed.
        import shutil
        from multiprocessing import util

        shutil.rmtree(util.get_temp_dir(), ignore_errors=True)
    os._exit(0)
