"""The meeting request as iCalendar (RFC 5545, METHOD:REQUEST), new or updated from a calendar's export."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vBinary, vCalAddress, vText, vUri

from deckgen.errors import InputError, option
from deckgen.invite.meeting import Meeting, Person

CONTINUED = re.compile(r" \((?:\d+ of \d+|\d+/\d+)\)$")
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PRODID = "-//deckgen//Sales review deck//EN"
MAX_ICS_BYTES = 50 * 1024**2
# Exchange's default message size limit; Gmail and Outlook.com take 25 MB and 20 MB.
MAIL_LIMIT_BYTES = 10 * 1024**2


@dataclass(frozen=True)
class Deck:
    """The deck being attached: its bytes and what the invite says about it."""

    path: Path
    data: bytes
    titles: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.name


def read_deck(path: Path) -> Deck:
    """The deck's bytes and slide titles (the titles state each slide's point: the invite's headlines)."""
    from pptx import Presentation

    data = path.read_bytes()
    try:
        presentation = Presentation(str(path))
    except Exception as exc:  # python-pptx raises several types for damaged packages
        raise InputError(f"cannot be read as a PowerPoint deck ({exc})", file=str(path)) from None
    titles = []
    for slide in presentation.slides:
        title = slide.shapes.title
        text = title.text_frame.text if title is not None and title.has_text_frame else ""
        titles.append(" ".join(text.split()))
    return Deck(path, data, tuple(titles))


def summary(deck: Deck, meeting: Meeting, attached: bool) -> str:
    """The readable text of the invite: when, where, the deck, and the deck's headlines."""
    lines = []
    if meeting.start is not None and meeting.end is not None:
        lines.append(when(meeting.start, meeting.end, meeting.zone))
    if meeting.location:
        lines.append(meeting.location)
    if meeting.description:
        lines += ["", meeting.description]
    size = f"{len(deck.data) / 1024**2:.1f} MB" if len(deck.data) >= 1024**2 else f"{len(deck.data) // 1024} KB"
    where = "attached" if attached else f"at {meeting.url}"
    lines += ["", f"The review deck is {where}: {deck.name} ({len(deck.titles)} slides, {size})."]
    # Continuation slides of a table ('… (2 of 3)', '… (2/3)') repeat their first slide's point.
    headlines = list(dict.fromkeys(CONTINUED.sub("", title) for title in deck.titles[1:] if title))
    if headlines:
        lines += ["", "Headlines:"] + [f"- {title}" for title in headlines[:12]]
    return "\n".join(lines).strip() + "\n"


def when(start: datetime, end: datetime, zone: str | None) -> str:
    """'Tuesday 1 December 2026, 09:00–10:00 (Asia/Seoul)'."""
    day = f"{start:%A} {start.day} {start:%B %Y}"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%A} {end.day} {end:%B %Y} {end:%H:%M}"
    return f"{day}, {start:%H:%M}–{until} ({zone or 'UTC'})"


def _address(person: Person, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = vText(person.name)
    if role:
        address.params.update({"CUTYPE": "INDIVIDUAL", "ROLE": role, "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"})
    return address


def uid(meeting: Meeting) -> str:
    """Stable for the same meeting: sending it again with next week's deck updates it instead of adding one."""
    start = meeting.start.isoformat() if meeting.start else ""
    organizer = meeting.organizer.email if meeting.organizer else ""
    digest = hashlib.sha256(f"{meeting.title}|{start}|{organizer}".encode()).hexdigest()[:32]
    return f"{digest}@deckgen"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _times(event: Event, meeting: Meeting) -> None:
    """DTSTART/DTEND in the meeting's zone (with its VTIMEZONE added later), or in UTC."""
    assert meeting.start is not None and meeting.end is not None
    for key, value in (("dtstart", meeting.start), ("dtend", meeting.end)):
        event.pop(key, None)
        event.add(key, value.astimezone(ZoneInfo(meeting.zone)) if meeting.zone else _utc(value))
    event.pop("duration", None)


def _attachment(deck: Deck, meeting: Meeting, inline: bool) -> Any:
    params = {"FMTTYPE": PPTX_TYPE, "X-FILENAME": deck.name}
    if meeting.url:
        link = vUri(meeting.url)
        link.params.update(params)
        return link
    if inline:
        return vBinary(deck.data, params=params)
    return None


def _replace_attachment(event: Event, attachment: Any, name: str) -> None:
    """Drop an earlier copy of this deck (same file name or a PowerPoint attachment deckgen wrote), add this one."""
    kept = []
    existing = event.get("attach")
    for item in existing if isinstance(existing, list) else ([existing] if existing is not None else []):
        params = getattr(item, "params", {})
        if params.get("X-FILENAME") == name or params.get("FMTTYPE") == PPTX_TYPE:
            continue
        kept.append(item)
    event.pop("attach", None)
    for item in [*kept, *([attachment] if attachment is not None else [])]:
        event.add("attach", item)


def _zones(calendar: Calendar, meeting: Meeting) -> None:
    """A VTIMEZONE for the meeting's zone, covering a year either side (not every transition since 1970)."""
    if meeting.zone is None or meeting.start is None:
        return
    if any(str(tz.get("tzid")) == meeting.zone for tz in calendar.walk("VTIMEZONE")):
        return
    first = date(meeting.start.year - 1, 1, 1)
    last = date(meeting.start.year + 2, 1, 1)
    component = Timezone.from_tzinfo(ZoneInfo(meeting.zone), tzid=meeting.zone, first_date=first, last_date=last)
    calendar.subcomponents.insert(0, component)


def new_calendar(deck: Deck, meeting: Meeting, now: datetime, inline: bool) -> Calendar:
    """A REQUEST with one VEVENT: the meeting, its people, and the deck (inline, by link, or not at all)."""
    if meeting.start is None:
        raise InputError(
            f"{option('start')} is needed for a new meeting",
            hint=f"or give {option('existing')} with the meeting to update",
        )
    if meeting.organizer is None:
        raise InputError(f"{option('organizer')} is needed: a meeting request names who sends it")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", now)
    event.add("sequence", 0)
    event.add("summary", meeting.title or (deck.titles[0] if deck.titles and deck.titles[0] else deck.name))
    _times(event, meeting)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(meeting.organizer))
    for attendee in meeting.attendees:
        event.add("attendee", _address(attendee, "REQ-PARTICIPANT"))
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", summary(deck, meeting, meeting.url is None))
    _replace_attachment(event, _attachment(deck, meeting, inline), deck.name)
    calendar.add_component(event)
    _zones(calendar, meeting)
    return calendar


def read_calendar(path: Path) -> Calendar:
    if not path.exists():
        raise InputError("not found", file=str(path), hint="export the meeting from your calendar as .ics")
    if path.stat().st_size > MAX_ICS_BYTES:
        raise InputError(f"is over {MAX_ICS_BYTES // 1024**2} MB; not a meeting export", file=str(path))
    try:
        calendar = Calendar.from_ical(path.read_bytes())
    except (ValueError, IndexError, KeyError) as exc:
        raise InputError(f"is not an iCalendar file ({exc})", file=str(path)) from None
    if not isinstance(calendar, Calendar) or not calendar.walk("VEVENT"):
        raise InputError("has no meeting (VEVENT) in it", file=str(path))
    return calendar


def _same_moment(value: Any, start: datetime) -> bool:
    moment = getattr(value, "dt", value)
    return isinstance(moment, datetime) and moment.tzinfo is not None and _utc(moment) == _utc(start)


def _occurrence(calendar: Calendar, meeting: Meeting, path: Path) -> Event:
    """The VEVENT to update: the only one, or the one at --start; a recurring series gets an override for it."""
    events: list[Any] = list(calendar.walk("VEVENT"))
    if meeting.start is not None:
        for event in events:
            if _same_moment(event.get("recurrence-id"), meeting.start) or (
                "recurrence-id" not in event
                and "rrule" not in event
                and _same_moment(event.get("dtstart"), meeting.start)
            ):
                return event
    series = [event for event in events if "rrule" in event and "recurrence-id" not in event]
    if series and meeting.start is None:
        raise InputError(
            "is a recurring meeting",
            file=str(path),
            hint=f"give {option('start')} with the date and time of the occurrence",
        )
    if series:
        return _override(calendar, series[0], meeting)
    singles = [event for event in events if "recurrence-id" not in event]
    if len(events) == 1 or (len(singles) == 1 and meeting.start is None):
        return singles[0] if singles else events[0]
    raise InputError(
        f"holds {len(events)} meetings and none starts at {option('start')}",
        file=str(path),
        hint=f"check {option('start')}",
    )


def _override(calendar: Calendar, series: Event, meeting: Meeting) -> Event:
    """One occurrence of a weekly meeting as its own VEVENT (RECURRENCE-ID), as calendars write a changed one."""
    assert meeting.start is not None
    first = series.decoded("dtstart")
    if isinstance(first, datetime) and first.tzinfo is not None:
        start = meeting.start.astimezone(first.tzinfo)
    else:
        start = meeting.start
    length = (series.decoded("dtend") - first) if "dtend" in series else series.decoded("duration", timedelta(hours=1))
    occurrence = copy.deepcopy(series)
    for key in ("RRULE", "RDATE", "EXDATE", "DTSTART", "DTEND", "DURATION", "ATTACH", "RECURRENCE-ID"):
        occurrence.pop(key, None)
    occurrence.add("recurrence-id", start)
    occurrence.add("dtstart", start)
    occurrence.add("dtend", start + length)
    calendar.add_component(occurrence)
    return occurrence


def updated_calendar(path: Path, deck: Deck, meeting: Meeting, now: datetime, inline: bool) -> Calendar:
    """The exported meeting with the deck attached: same UID, SEQUENCE + 1, the rest kept as it was."""
    calendar = read_calendar(path)
    event = _occurrence(calendar, meeting, path)
    _check_times(event, path)
    if meeting.length_given and "rrule" not in event:
        _times(event, meeting)  # only when asked: --start alone picks the occurrence, it moves nothing
    sequence = int(event.get("sequence", 0)) + 1
    event.pop("sequence", None)
    event.add("sequence", sequence)
    event.pop("dtstamp", None)
    event.add("dtstamp", now)
    for key, value in (("summary", meeting.title), ("location", meeting.location)):
        if value:
            event.pop(key, None)
            event.add(key, value)
    if meeting.organizer is not None:
        event.pop("organizer", None)
        event.add("organizer", _address(meeting.organizer))
    if "organizer" not in event:
        raise InputError("has no organizer", file=str(path), hint=f"give {option('organizer')}")
    present = {str(a).lower().removeprefix("mailto:") for a in as_list(event.get("attendee"))}
    for attendee in meeting.attendees:
        if attendee.email.lower() not in present:
            event.add("attendee", _address(attendee, "REQ-PARTICIPANT"))
    if meeting.description:
        event.pop("description", None)
        event.add("description", meeting.description)
    _replace_attachment(event, _attachment(deck, meeting, inline), deck.name)
    calendar.pop("method", None)
    calendar.add("method", "REQUEST")
    _zones(calendar, meeting)
    return calendar


def _check_times(event: Any, path: Path) -> None:
    """The meeting to update has a start and end that are moments in time (an all-day DATE has no time to send
    an invite for), the end after the start."""
    start = getattr(event.get("dtstart"), "dt", None)
    if not isinstance(start, datetime):
        said = "has no start time (DTSTART)" if start is None else "starts on a whole day, not at a time (DTSTART)"
        raise InputError(said, file=str(path), hint="export the meeting again from its calendar")
    end = getattr(event.get("dtend"), "dt", None)
    if end is not None and not isinstance(end, datetime):
        raise InputError("ends on a whole day, not at a time (DTEND)", file=str(path),
                         hint="export the meeting again from its calendar")  # fmt: skip
    if end is not None and (end.tzinfo is None) != (start.tzinfo is None):
        raise InputError("mixes a floating and a zoned time (DTSTART, DTEND)", file=str(path),
                         hint="export the meeting again from its calendar")  # fmt: skip
    if end is not None and end <= start:
        raise InputError("ends before it starts (DTEND)", file=str(path), hint="export the meeting again")


def as_list(value: Any) -> list[Any]:
    """An iCalendar property that may occur once or many times, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
