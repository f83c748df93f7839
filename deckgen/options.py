"""What a deck build is asked for, as frozen values: `DeckOptions`, the review meeting's `MeetingDetails`, and
`Written`, what the build tells as each file is put in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from deckgen.errors import OptionError, option

# The years a report date, a meeting or a close date can fall in: a fiscal calendar needs the year before and
# the year after, and no pipeline export is older than this.
FIRST_YEAR, LAST_YEAR = 1990, 2199

ChartStyle = Literal["image", "native"]
Language = Literal["en", "ko"]
CHART_STYLES: tuple[ChartStyle, ...] = ("image", "native")
LANGUAGES: tuple[Language, ...] = ("en", "ko")
Appendix = Literal["include", "none"]
APPENDIX: tuple[Appendix, ...] = ("include", "none")


@dataclass(frozen=True)
class Written:
    """A file the build has put in place: the deck (with its slide count), its PDF or the invite; notes with it."""

    path: Path
    notes: tuple[str, ...] = ()
    slides: int | None = None


@dataclass(frozen=True)
class MeetingDetails:
    """The review meeting as the user describes it; checked (times, zone, addresses) before anything is built.

    start/end: 'YYYY-MM-DD HH:MM' in `timezone` (or with their own offset), or datetimes. timezone: an IANA
    name such as 'Asia/Seoul' (default: this machine's). organizer and attendees: 'name@example.com' or
    'Name <name@example.com>'. url: a link to the deck on a shared drive, instead of attaching it. title:
    default the deck's title.
    """

    start: str | datetime | None = None
    duration: int | None = None  # minutes [default: 60]
    end: str | datetime | None = None  # instead of duration
    timezone: str | None = None
    organizer: str | None = None
    attendees: tuple[str, ...] = ()
    location: str | None = None
    description: str | None = None
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class DeckOptions:
    """How to build the deck (what `deckgen build` takes besides the exports and the settings).

    output: the .pptx (default: sales-review-<as-of>.pptx in the working directory); with `by`, the folder.
    template: a template folder (template.pptx + slides.toml) or a .pptx (default: the built-in template).
    charts: every chart as a picture ('image') or an editable chart ('native'); default: each slide's style.
    appendix: 'none' leaves out the slides the spec marks `appendix = true` (by default they follow the others).
    jobs: processes drawing charts (with `by`: building decks); default: one per core.
    pdf: also write a PDF beside the deck (LibreOffice). invite: also write the meeting invite (.ics or .eml)
    for `meeting`. by: one deck per group of this column (team, owner, Region, ...) plus the overall deck;
    same_scale: the group decks' charts share their axes. Callbacks: progress gets what the build is doing;
    explain one line per slide (its layout and placeholders); written each file as it is put in place;
    group_progress (decks done, decks in all, the last one's group) with `by`.
    """

    output: Path | str | None = None
    template: Path | str | None = None
    title: str | None = None
    meeting_date: date | None = None
    charts: ChartStyle | None = None
    lang: Language = "en"
    appendix: Appendix = "include"
    jobs: int | None = None
    pdf: bool = False
    invite: Path | str | None = None
    meeting: MeetingDetails | None = None
    by: str | None = None
    same_scale: bool = False
    progress: Callable[[str], None] | None = None
    explain: Callable[[str], None] | None = None
    written: Callable[[Written], None] | None = None
    group_progress: Callable[[int, int, str], None] | None = None

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise OptionError(f"{option('lang')} {self.lang!r} is not one of {', '.join(LANGUAGES)}", "lang")
        if self.appendix not in APPENDIX:
            raise OptionError(f"{option('appendix')} {self.appendix!r} is not one of {', '.join(APPENDIX)}", "appendix")
        if self.charts is not None and self.charts not in CHART_STYLES:
            raise OptionError(f"{option('charts')} {self.charts!r} is not one of {', '.join(CHART_STYLES)}", "charts")
        if self.jobs is not None and self.jobs < 1:
            raise OptionError(f"{option('jobs')} {self.jobs} is not a number of processes above 0", "jobs")
        if self.by is not None:
            for name, given in (("invite", self.invite), ("meeting", self.meeting), ("pdf", self.pdf or None)):
                if given is not None:
                    raise OptionError(
                        f"{option(name)} makes one file; it does not go with {option('by')} (one deck per group)"
                    )
        elif self.same_scale:
            raise OptionError(f"{option('same_scale')} goes with {option('by')} COLUMN")
        if self.meeting is not None and self.invite is None:
            raise OptionError(f"{option('meeting')} goes with {option('invite')} OUT.ics|OUT.eml")
        if self.invite is not None and (self.meeting is None or self.meeting.start is None):
            raise OptionError(f"{option('invite')} needs {option('meeting')}")

    @property
    def output_path(self) -> Path | None:
        return Path(self.output) if self.output is not None else None

    @property
    def template_path(self) -> Path | None:
        return Path(self.template) if self.template is not None else None

    @property
    def invite_path(self) -> Path | None:
        return Path(self.invite) if self.invite is not None else None
