"""The meeting as the user describes it on the command line, checked once: times, time zone, people, links."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from deckgen.errors import InputError, option
from deckgen.options import FIRST_YEAR, LAST_YEAR, MeetingDetails

DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
LONGEST_MEETING = 7 * 24 * 60  # minutes
UTC_NAMES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal"}


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def address(self) -> str:
        """'Name <name@example.com>' for e-mail headers."""
        return formataddr((self.name, self.email)) if self.name else self.email


@dataclass(frozen=True)
class Meeting:
    """What the invite says. `start`/`end` are aware datetimes; `zone` is an IANA name, or None for UTC."""

    title: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    zone: str | None = None
    organizer: Person | None = None
    attendees: tuple[Person, ...] = ()
    location: str | None = None
    description: str | None = None
    url: str | None = None
    length_given: bool = False  # --duration or --end was given (an update changes the times only then)
    notes: list[str] = field(default_factory=list, compare=False)


def person(text: str, which: str) -> Person:
    """'ann@example.com', 'Ann Lee <ann@example.com>' or '"Lee, Ann" <ann@example.com>': exactly one address
    and nothing else, checked strictly (no line break, quote or second address can slip an attendee in);
    `which` names the option it came from."""
    stripped = text.strip()
    named = _NAMED.fullmatch(stripped)
    name, address = ((named["quoted"] or named["plain"] or "").strip(), named["address"]) if named else ("", stripped)
    if _UNSAFE.search(text) or not EMAIL.match(address):
        if text.count("@") > 1:
            raise InputError(
                f"{option(which)} {text!r} is more than one e-mail address",
                hint=f"give each address with its own {option(which)}",
            )
        raise InputError(
            f"{option(which)} {text!r} is not an e-mail address",
            hint="write name@example.com or 'Name <name@example.com>'",
        )
    return Person(name, address)


# A display name: quoted (any printable text but a quote or backslash) or plain (no specials), then <address>.
_NAMED = re.compile(r'(?:"(?P<quoted>[^"\\]*)"|(?P<plain>[^<>"(),;:@\\\[\]]+))?\s*<(?P<address>[^<>\s]+)>')
# Control characters (line breaks included), and the separators that would make two lines of one header.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def zone(name: str | None) -> str | None:
    """The IANA zone to write times in: the one named, else this machine's; None means UTC."""
    if name is None:
        return local_zone()
    if name in UTC_NAMES:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        match = difflib.get_close_matches(name, sorted(available_timezones()), n=1, cutoff=0.6)
        hint = f"did you mean '{match[0]}'?" if match else "use an IANA name such as Asia/Seoul or America/New_York"
        raise InputError(f"{option('timezone')} {name!r} is not a time zone", hint=hint) from None
    return name


def local_zone() -> str | None:
    """This machine's IANA zone (TZ, else /etc/localtime's link), None when unknown or UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    except OSError:
        pass
    for name in candidates:
        if name and name not in UTC_NAMES:
            try:
                ZoneInfo(name)
                return name
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return None


def moment(given: str | datetime, which: str, zone_name: str | None) -> datetime:
    """'2026-12-01 09:00' in the zone, or a time with its own offset ('2026-12-01T09:00+09:00', '...Z')."""
    text = given if isinstance(given, str) else given.isoformat(sep=" ")
    value = text.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        for pattern in DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
    if parsed is None or (len(value) <= 10 and "T" not in value and " " not in value):
        raise InputError(
            f"{option(which)} {text!r} is not a date and time", hint="write YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:00"
        )
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise InputError(f"{option(which)} {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    tz = ZoneInfo(zone_name) if zone_name else ZoneInfo("UTC")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=tz)
    return parsed.astimezone(tz)


def url(text: str) -> str:
    value = text.strip()
    if not re.match(r"^https?://[^\s/]+\S*$", value):
        raise InputError(
            f"{option('url')} {text!r} is not a web link", hint="give the deck's https:// link on a shared drive"
        )
    return value


def meeting(details: MeetingDetails) -> Meeting:
    """Every detail checked; the first problem raises one clear line."""
    timezone, start, end, duration = details.timezone, details.start, details.end, details.duration
    zone_name = zone(timezone)
    notes = []
    if timezone is None and zone_name is None and start is not None:
        notes.append("no --timezone given and this machine runs on UTC: the meeting time is read as UTC")
    begins = moment(start, "start", zone_name) if start is not None else None
    ends = None
    if end is not None:
        if begins is None:
            raise InputError(f"{option('end')} needs {option('start')}")
        ends = moment(end, "end", zone_name)
        if ends <= begins:
            raise InputError(
                f"{option('end')} {_said(end)!r} is not after {option('start')} {_said(start)!r}",
                hint="the meeting must end after it starts",
            )
    elif begins is not None:
        minutes = 60 if duration is None else duration
        if minutes <= 0:
            raise InputError(f"{option('duration')} {minutes} is not a number of minutes above 0")
        if minutes > LONGEST_MEETING:
            raise InputError(f"{option('duration')} {minutes} is more than a week ({LONGEST_MEETING} minutes)")
        ends = begins + timedelta(minutes=minutes)
    for which, text in (("title", details.title), ("location", details.location)):
        if text is not None and _UNSAFE.search(text):
            raise InputError(
                f"{option(which)} {text!r} holds a line break or control character",
                hint="give it on one line: it becomes the mail's subject and the calendar's one-line fields",
            )
    return Meeting(
        title=details.title.strip() if details.title else None,
        start=begins,
        end=ends,
        zone=zone_name,
        organizer=person(details.organizer, "organizer") if details.organizer else None,
        attendees=tuple(dict.fromkeys(person(a, "attendees") for a in details.attendees)),
        location=details.location,
        description=details.description,
        url=url(details.url) if details.url else None,
        length_given=begins is not None and (duration is not None or end is not None),
        notes=notes,
    )


def _said(value: str | datetime | None) -> str | None:
    """A time as the user gave it: their text, or a datetime written out."""
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


def check_deck(path: Path) -> None:
    """The deck exists and is a PowerPoint file (a zip holding ppt/presentation.xml)."""
    import zipfile

    if _UNSAFE.search(path.name):
        raise InputError(
            "has a line break or control character in its name", file=repr(str(path)),
            hint="rename the deck: its name goes into the invite's and the mail's headers",
        )  # fmt: skip
    if not path.exists():
        raise InputError("deck not found", file=str(path), hint="give the .pptx that `deckgen build` wrote")
    if path.is_dir():
        raise InputError("is a folder, not a deck", file=str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            names: Any = set(archive.namelist())
    except zipfile.BadZipFile:
        raise InputError("is not a PowerPoint deck (.pptx)", file=str(path)) from None
    if "ppt/presentation.xml" not in names:
        raise InputError("is not a PowerPoint deck (.pptx)", file=str(path))
