"""`deckgen attach` and `build --invite`: invites and e-mails read back by icalendar, vobject and `email`."""

from __future__ import annotations

import base64
import email
import email.policy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from deck_helpers import SAMPLE_ARGS, build, run
from icalendar import Calendar, Event, vCalAddress
from pptx import Presentation

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
MEETING = [
    "--title",
    "Weekly pipeline review",
    "--start",
    "2026-12-01 09:00",
    "--timezone",
    "Asia/Seoul",
    "--organizer",
    "Ann Lee <ann@example.com>",
    "--attendee",
    "bob@example.com",
    "--attendee",
    "김민준 <minjun@example.kr>",
    "--location",
    "Room 4",
]


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    """A small real deck: a title slide and two slides whose titles state their point."""
    presentation = Presentation()
    for title in ("Sales Review · FY2026 Q4", "Bookings 10% behind pace", "Top deals (1 of 2)", "Top deals (2 of 2)"):
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        slide.shapes.title.text = title
    path = tmp_path / "review.pptx"
    presentation.save(str(path))
    return path


def only_event(calendar: Calendar) -> Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_ics_is_a_request_with_times_people_and_the_deck_inline(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "review.ics"
    code, stdout, err = run(capsys, "attach", str(deck), *MEETING, "-o", str(out))
    assert (code, stdout.strip(), err) == (0, str(out), "")
    calendar = Calendar.from_ical(out.read_bytes())
    assert calendar["method"] == "REQUEST" and calendar["version"] == "2.0"
    event = only_event(calendar)
    assert str(event["summary"]) == "Weekly pipeline review"
    assert event.decoded("dtstart") == datetime(2026, 12, 1, 9, 0, tzinfo=SEOUL)
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)
    assert event["dtstart"].params["TZID"] == "Asia/Seoul"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert int(event["sequence"]) == 0 and str(event["uid"]).endswith("@deckgen")
    assert abs(event.decoded("dtstamp") - datetime.now(UTC)) < timedelta(minutes=5)
    assert str(event["organizer"]) == "mailto:ann@example.com" and event["organizer"].params["CN"] == "Ann Lee"
    attendees = event["attendee"]
    assert [str(a) for a in attendees] == ["mailto:bob@example.com", "mailto:minjun@example.kr"]
    assert attendees[1].params["CN"] == "김민준"
    assert all(a.params["RSVP"] == "TRUE" and a.params["PARTSTAT"] == "NEEDS-ACTION" for a in attendees)
    attach = event["attach"]
    assert attach.params["FMTTYPE"] == PPTX_TYPE and attach.params["X-FILENAME"] == "review.pptx"
    assert attach.params["ENCODING"] == "BASE64" and attach.params["VALUE"] == "BINARY"
    assert event.decoded("attach") == deck.read_bytes()
    description = str(event["description"])
    assert "Tuesday 1 December 2026, 09:00–10:00 (Asia/Seoul)" in description
    assert "- Bookings 10% behind pace\n- Top deals\n" in description  # continuation slides once


def test_a_second_parser_reads_the_same_invite(deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "review.ics"
    assert run(capsys, "attach", str(deck), *MEETING, "-o", str(out))[0] == 0
    parsed = vobject.readOne(out.read_text(encoding="utf-8"))
    assert parsed.method.value == "REQUEST"
    event = parsed.vevent
    assert event.dtstart.value == datetime(2026, 12, 1, 9, 0, tzinfo=SEOUL)
    assert event.dtend.value.astimezone(UTC) == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert event.attach.params["ENCODING"] == ["BASE64"]  # vobject leaves iCalendar BASE64 values encoded
    assert base64.b64decode(event.attach.value) == deck.read_bytes()
    assert [a.value for a in event.attendee_list] == ["mailto:bob@example.com", "mailto:minjun@example.kr"]
    assert event.attendee_list[0].params["RSVP"] == ["TRUE"]


def test_daylight_saving_time_is_right_in_new_york(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ny.ics"
    args = ["--start", "2027-03-16 09:00", "--timezone", "America/New_York", "--organizer", "ann@example.com"]
    assert run(capsys, "attach", str(deck), *args, "--duration", "45", "-o", str(out))[0] == 0
    calendar = Calendar.from_ical(out.read_bytes())
    event = only_event(calendar)
    # 16 March 2027 is after the switch to daylight time (14 March): 09:00 EDT is 13:00 UTC.
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2027, 3, 16, 13, 0, tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    zone = calendar.walk("VTIMEZONE")[0]
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    parsed = vobject.readOne(out.read_text(encoding="utf-8"))
    assert parsed.vevent.dtstart.value.astimezone(UTC).hour == 13


def test_a_link_instead_of_the_deck_inline(deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "review.ics"
    link = "https://drive.example.com/decks/review.pptx"
    assert run(capsys, "attach", str(deck), *MEETING, "--url", link, "-o", str(out))[0] == 0
    event = only_event(Calendar.from_ical(out.read_bytes()))
    assert str(event["attach"]) == link and event["attach"].params["FMTTYPE"] == PPTX_TYPE
    assert "ENCODING" not in event["attach"].params
    assert f"The review deck is at {link}" in str(event["description"])
    assert out.stat().st_size < 6000


def test_an_invite_too_big_for_mail_servers_gets_a_note(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from deckgen.invite import calendar

    monkeypatch.setattr(calendar, "MAIL_LIMIT_BYTES", 10_000)
    out = tmp_path / "review.ics"
    code, _, err = run(capsys, "attach", str(deck), *MEETING, "-o", str(out))
    assert code == 0 and out.exists()
    size = out.stat().st_size / 1024**2
    assert err.strip() == (
        f"note: review.ics is {size:.1f} MB with the deck in it; many mail servers refuse messages over 0 MB: "
        "put the deck on a shared drive and give --url instead"
    )


def test_eml_is_a_mime_message_with_body_invite_and_deck(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "review.eml"
    assert run(capsys, "attach", str(deck), *MEETING, "-o", str(out))[0] == 0
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert message.get_content_type() == "multipart/mixed"
    assert message["Subject"] == "Weekly pipeline review"
    assert message["From"] == "Ann Lee <ann@example.com>"
    assert message["To"] == "bob@example.com, 김민준 <minjun@example.kr>"
    assert message["X-Unsent"] == "1"
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content().replace("\r\n", "\n")  # RFC 5322 lines end in CRLF
    assert "Tuesday 1 December 2026, 09:00–10:00 (Asia/Seoul)\nRoom 4" in text
    assert "The review deck is attached: review.pptx (4 slides" in text
    assert "- Bookings 10% behind pace" in text
    invites = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(invites) == 1 and invites[0].get_param("method") == "REQUEST"
    event = only_event(Calendar.from_ical(invites[0].get_content()))
    assert event.decoded("dtstart") == datetime(2026, 12, 1, 9, 0, tzinfo=SEOUL)
    assert "attach" not in event  # the deck travels as the mail's attachment, not twice
    attachments = list(message.iter_attachments())
    assert [(a.get_content_type(), a.get_filename()) for a in attachments] == [(PPTX_TYPE, "review.pptx")]
    assert attachments[0].get_content() == deck.read_bytes()


def exported_meeting(path: Path, recurring: bool = False) -> Path:
    """A meeting as a calendar program exports it: its own UID, sequence, alarm, X- properties, attachments."""
    calendar = Calendar()
    calendar.add("prodid", "-//Example Corp//Calendar 1.0//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", "040000008200E00074C5B7101A82E008@example.com")
    event.add("dtstamp", datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    event.add("sequence", 2)
    event.add("summary", "Weekly pipeline review")
    event.add("dtstart", datetime(2026, 11, 3, 9, 0, tzinfo=NEW_YORK))
    event.add("dtend", datetime(2026, 11, 3, 9, 30, tzinfo=NEW_YORK))
    if recurring:
        event.add("rrule", {"FREQ": "WEEKLY", "BYDAY": "TU"})
    organizer = vCalAddress("mailto:ann@example.com")
    organizer.params["CN"] = "Ann Lee"
    event.add("organizer", organizer)
    event.add("attendee", vCalAddress("mailto:bob@example.com"))
    event.add("x-microsoft-cdo-busystatus", "BUSY")
    event.add("attach", "https://wiki.example.com/agenda", parameters={"FMTTYPE": "text/html"})
    event.add("attach", "https://drive.example.com/old.pptx", parameters={"FMTTYPE": PPTX_TYPE})
    alarm = Calendar.from_ical(
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Review\r\nEND:VALARM\r\n"
    )
    event.add_component(alarm)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    path.write_bytes(calendar.to_ical())
    return path


def test_updating_an_exported_meeting_keeps_it_and_replaces_the_deck(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = exported_meeting(tmp_path / "meeting.ics")
    before = existing.read_bytes()
    out = tmp_path / "updated.ics"
    code, _, err = run(
        capsys, "attach", str(deck), "--ics", str(existing), "--attendee", "cy@example.com", "-o", str(out)
    )
    assert code == 0, err
    assert existing.read_bytes() == before  # the export is left as it was
    calendar = Calendar.from_ical(out.read_bytes())
    assert calendar["method"] == "REQUEST"
    event = only_event(calendar)
    assert str(event["uid"]) == "040000008200E00074C5B7101A82E008@example.com"
    assert int(event["sequence"]) == 3
    assert event.decoded("dtstart") == datetime(2026, 11, 3, 9, 0, tzinfo=NEW_YORK)
    assert event.decoded("dtend") == datetime(2026, 11, 3, 9, 30, tzinfo=NEW_YORK)
    assert str(event["x-microsoft-cdo-busystatus"]) == "BUSY"
    assert [c.name for c in event.subcomponents] == ["VALARM"]
    assert [str(a) for a in event["attendee"]] == ["mailto:bob@example.com", "mailto:cy@example.com"]
    attachments = event["attach"]
    assert str(attachments[0]) == "https://wiki.example.com/agenda"  # other attachments kept
    assert len(attachments) == 2 and attachments[1].params["X-FILENAME"] == "review.pptx"  # the old deck replaced
    assert event.decoded("attach")[1] == deck.read_bytes()
    assert event.decoded("dtstamp") > datetime(2026, 11, 2, tzinfo=UTC)


def test_one_occurrence_of_a_weekly_meeting_gets_the_deck(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = exported_meeting(tmp_path / "weekly.ics", recurring=True)
    out = tmp_path / "week.ics"
    args = ["--ics", str(existing), "--start", "2026-12-01 09:00", "--timezone", "America/New_York"]
    code, _, err = run(capsys, "attach", str(deck), *args, "-o", str(out))
    assert code == 0, err
    calendar = Calendar.from_ical(out.read_bytes())
    series, occurrence = calendar.walk("VEVENT")
    assert "rrule" in series and "recurrence-id" not in series
    assert int(series["sequence"]) == 2 and "x-microsoft-cdo-busystatus" in series  # the series is untouched
    assert str(occurrence["uid"]) == str(series["uid"])
    assert occurrence.decoded("recurrence-id") == datetime(2026, 12, 1, 9, 0, tzinfo=NEW_YORK)
    assert occurrence.decoded("dtend") - occurrence.decoded("dtstart") == timedelta(minutes=30)
    assert int(occurrence["sequence"]) == 3 and "rrule" not in occurrence
    assert occurrence.decoded("attach") == deck.read_bytes()
    parsed = vobject.readOne(out.read_text(encoding="utf-8"))
    assert len(parsed.vevent_list) == 2
    # Next week: the export now holds that occurrence; attaching again updates it, adding nothing.
    again = tmp_path / "again.ics"
    args = ["--ics", str(out), "--start", "2026-12-01 09:00", "--timezone", "America/New_York"]
    assert run(capsys, "attach", str(deck), *args, "-o", str(again))[0] == 0
    events = Calendar.from_ical(again.read_bytes()).walk("VEVENT")
    assert len(events) == 2 and int(events[1]["sequence"]) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--start", "2026-12-01 09:00", "--timezone", "Asia/Seoull", "--organizer", "a@example.com"],
            "--timezone 'Asia/Seoull' is not a time zone (did you mean 'Asia/Seoul'?)",
        ),
        (
            ["--start", "2026-12-01 09:00", "--organizer", "ann@example"],
            "--organizer 'ann@example' is not an e-mail address (write name@example.com or 'Name <name@example.com>')",
        ),
        (
            ["--start", "2026-12-01 09:00", "--organizer", "a@example.com", "--attendee", "Bob <bob@example.com"],
            "--attendee 'Bob <bob@example.com' is not an e-mail address "
            "(write name@example.com or 'Name <name@example.com>')",
        ),
        (
            ["--start", "2026-12-01 09:00", "--end", "2026-12-01 08:30", "--organizer", "a@example.com"],
            "--end '2026-12-01 08:30' is not after --start '2026-12-01 09:00' (the meeting must end after it starts)",
        ),
        (
            ["--start", "next tuesday", "--organizer", "a@example.com"],
            "--start 'next tuesday' is not a date and time (write YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:00)",
        ),
        (
            ["--start", "2026-12-01", "--organizer", "a@example.com"],
            "--start '2026-12-01' is not a date and time (write YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:00)",
        ),
        (
            ["--start", "2026-12-01 09:00", "--duration", "0", "--organizer", "a@example.com"],
            "--duration 0 is not a number of minutes above 0",
        ),
        (
            ["--start", "2026-12-01 09:00", "--organizer", "a@example.com", "--url", "drive/review.pptx"],
            "--url 'drive/review.pptx' is not a web link (give the deck's https:// link on a shared drive)",
        ),
        (["--start", "2026-12-01 09:00"], "--organizer is needed: a meeting request names who sends it"),
        (
            ["--organizer", "a@example.com"],
            "--start is needed for a new meeting (or give --ics with the meeting to update)",
        ),
    ],
)
def test_bad_meeting_options_are_one_line_and_write_nothing(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "review.ics"
    code, stdout, err = run(capsys, "attach", str(deck), *args, "-o", str(out))
    assert (code, stdout, err.strip()) == (2, "", f"Error: {message}")
    assert list(tmp_path.iterdir()) == [deck]


def test_bad_files_are_one_line_and_write_nothing(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meeting = ["--start", "2026-12-01 09:00", "--organizer", "a@example.com"]
    missing = tmp_path / "nope.pptx"
    not_deck = tmp_path / "notes.pptx"
    not_deck.write_text("hello")
    not_calendar = tmp_path / "meeting.ics"
    not_calendar.write_text("BEGIN:VCARD\nEND:VCARD\n")
    cases = [
        (
            [str(missing), *meeting, "-o", str(tmp_path / "a.ics")],
            f"{missing}: deck not found (give the .pptx that `deckgen build` wrote)",
        ),
        ([str(not_deck), *meeting, "-o", str(tmp_path / "a.ics")], f"{not_deck}: is not a PowerPoint deck (.pptx)"),
        (
            [str(deck), *meeting, "-o", str(tmp_path / "a.txt")],
            f"{tmp_path / 'a.txt'}: is neither .ics nor .eml "
            "(-o invite.ics writes a calendar invite, -o invite.eml an e-mail)",
        ),
        (
            [str(deck), "--ics", str(tmp_path / "gone.ics"), "-o", str(tmp_path / "a.ics")],
            f"{tmp_path / 'gone.ics'}: not found (export the meeting from your calendar as .ics)",
        ),
        (
            [str(deck), "--ics", str(not_calendar), "-o", str(tmp_path / "a.ics")],
            f"{not_calendar}: has no meeting (VEVENT) in it",
        ),
    ]
    for args, message in cases:
        code, _, err = run(capsys, "attach", *args)
        assert (code, err.strip()) == (2, f"Error: {message}"), args
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([deck.name, not_deck.name, not_calendar.name])


def test_a_recurring_meeting_needs_the_occurrence(
    deck: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = exported_meeting(tmp_path / "weekly.ics", recurring=True)
    code, _, err = run(capsys, "attach", str(deck), "--ics", str(existing), "-o", str(tmp_path / "a.ics"))
    assert (code, err.strip()) == (
        2,
        f"Error: {existing}: is a recurring meeting (give --start with the date and time of the occurrence)",
    )
    assert not (tmp_path / "a.ics").exists()


def test_build_with_invite_writes_deck_and_invite_with_the_meeting_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck, invite = tmp_path / "review.pptx", tmp_path / "review.eml"
    meeting = ["--meeting-start", "2026-12-01 09:00", "--timezone", "Asia/Seoul", "--organizer", "ann@example.com"]
    build(deck, *meeting, "--attendee", "bob@example.com", "--invite", str(invite))
    subtitle = Presentation(str(deck)).slides[0].placeholders[1].text_frame.text
    assert subtitle.endswith("review on 1 December 2026")
    message = email.message_from_bytes(invite.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Northwind Analytics Sales Review · FY2026 Q4"
    attachment = next(message.iter_attachments())
    assert attachment.get_content() == deck.read_bytes()
    assert "- Bookings 10% behind pace with 5 weeks left" in message.get_body(preferencelist=("plain",)).get_content()


def test_build_checks_the_meeting_before_building_anything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck, invite = tmp_path / "review.pptx", tmp_path / "review.ics"
    args = ["--meeting-start", "2026-12-01 09:00", "--organizer", "ann@", "--invite", str(invite)]
    code, _, err = run(capsys, "build", *SAMPLE_ARGS, "-o", str(deck), *args)
    assert code == 2 and err.startswith("Error: --organizer 'ann@' is not an e-mail address")
    assert list(tmp_path.iterdir()) == []
