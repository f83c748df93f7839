"""`deckgen attach`: the deck + the meeting -> an .ics invite or an .eml ready to send, written atomically."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deckgen.atomic import check_output as check_target
from deckgen.atomic import reading, write_bytes
from deckgen.errors import InputError, option
from deckgen.invite.meeting import Meeting, check_deck
from deckgen.invite.meeting import meeting as checked_meeting
from deckgen.options import MeetingDetails

SUFFIXES = (".ics", ".eml")


def check_output(out: Path) -> None:
    if out.suffix.lower() not in SUFFIXES:
        raise InputError(
            "is neither .ics nor .eml",
            file=str(out),
            hint=f"{option('output')} invite.ics writes a calendar invite, {option('output')} invite.eml an e-mail",
        )
    if out.is_dir():
        raise InputError("is a folder", file=str(out), hint=f"{option('output')} names the invite file to write")


def _as_met(event: Any, meeting: Meeting) -> Meeting:
    """The meeting as the (possibly updated) event now says it, for the readable text."""
    start, end = event.decoded("dtstart"), event.decoded("dtend", None)
    key = getattr(getattr(start, "tzinfo", None), "key", None)
    return replace(
        meeting,
        start=start if isinstance(start, datetime) else None,
        end=end if isinstance(end, datetime) else None,
        zone=key if key not in (None, "UTC") else None,
        location=str(event.get("location")) if event.get("location") else None,
    )


def write_invite(
    deck: Path | str, output: Path | str, details: MeetingDetails | None = None, existing: Path | str | None = None
) -> list[str]:
    """Put the deck into the review meeting: `output` .ics is the invite, .eml an e-mail ready to send.

    details: the meeting (checked first: times, time zone, addresses). existing: the meeting exported from a
    calendar (.ics), to update instead of starting a new one. Returns notes for the user (e.g. size warnings).
    """
    checked = checked_meeting(details or MeetingDetails())
    return attach(Path(deck), Path(output), checked, Path(existing) if existing is not None else None)


def attach(deck_path: Path, out: Path, meeting: Meeting, existing: Path | None = None) -> list[str]:
    """Write the invite (out.ics) or the e-mail (out.eml); return notes for the user (e.g. size warnings)."""
    check_output(out)
    with reading([deck_path, existing]):
        check_target(out)  # never over the deck or the meeting it updates
        return _attach(deck_path, out, meeting, existing)


def _attach(deck_path: Path, out: Path, meeting: Meeting, existing: Path | None) -> list[str]:
    from deckgen.invite.calendar import MAIL_LIMIT_BYTES, new_calendar, read_deck, summary, updated_calendar
    from deckgen.invite.message import message

    check_deck(deck_path)
    deck = read_deck(deck_path)
    now = datetime.now(UTC).replace(microsecond=0)
    as_mail = out.suffix.lower() == ".eml"
    inline = not as_mail and meeting.url is None  # an e-mail carries the deck as a mail attachment instead
    if existing is not None:
        calendar = updated_calendar(existing, deck, meeting, now, inline)
    else:
        calendar = new_calendar(deck, meeting, now, inline)
    body = summary(deck, _as_met(_updated_event(calendar), meeting), meeting.url is None)
    data = message(calendar, deck, meeting, body, now, attach=meeting.url is None) if as_mail else calendar.to_ical()
    notes = list(meeting.notes)
    if len(data) > MAIL_LIMIT_BYTES:
        notes.append(
            f"{out.name} is {len(data) / 1024**2:.1f} MB with the deck in it; many mail servers refuse messages over "
            f"{MAIL_LIMIT_BYTES // 1024**2} MB: put the deck on a shared drive and give --url instead"
        )
    write_bytes(out, data)
    return notes


def _updated_event(calendar: Any) -> Any:
    """The VEVENT this run wrote: the one with the newest DTSTAMP (the only one, for a new meeting)."""
    events = list(calendar.walk("VEVENT"))
    return max(events, key=lambda e: (e.decoded("dtstamp", datetime.min.replace(tzinfo=UTC)), "recurrence-id" in e))
