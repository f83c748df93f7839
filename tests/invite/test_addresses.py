"""Invite addresses are exactly what the user typed: one address per option, no line break or quote that
smuggles in another attendee or header, read back from the .ics and the .eml."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from deck_helpers import run
from icalendar import Calendar

from tests.invite.test_invite import deck, only_event  # noqa: F401  (deck: the fixture)

START = ["--start", "2026-12-01 09:00", "--timezone", "Asia/Seoul"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Ann <ann@example.com>, eve@evil.example", "is more than one e-mail address (give each address with its own"),
        ("ann@example.com, eve@evil.example", "is more than one e-mail address"),
        ('"Ann" <ann@example.com> eve@evil.example', "is more than one e-mail address"),
        ("eve@evil.example <ann@example.com>", "is more than one e-mail address"),
        ("Ann\r\nBcc: eve@evil.example <ann@example.com>", "is more than one e-mail address"),
        ("Ann\r\nX-Injected: yes <ann@example.com>", "is not an e-mail address"),
        ('"A\\"nn" <ann@example.com>', "is not an e-mail address"),
        ("Ann\u2028Lee <ann@example.com>", "is not an e-mail address"),
        ("ann@example.com\n", "is not an e-mail address"),
    ],
)
def test_anything_but_one_clean_address_is_refused(
    deck: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    typed: str,
    message: str,
) -> None:
    out = tmp_path / "review.ics"
    code, stdout, err = run(capsys, "attach", str(deck), *START, "--organizer", "a@example.com", "--attendee", typed,
                            "-o", str(out))  # fmt: skip
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith("Error: --attendee ") and message in err
    assert list(tmp_path.iterdir()) == [deck]


def test_names_with_commas_and_hangul_reach_both_files_as_typed(
    deck: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    people = ['"Lee, Ann" <ann@example.com>', "김민준 <minjun@example.kr>", "bob@example.com"]
    attendees = [arg for typed in people for arg in ("--attendee", typed)]
    for suffix in ("ics", "eml"):
        out = tmp_path / f"review.{suffix}"
        code, _, err = run(capsys, "attach", str(deck), *START, "--organizer", "Ann Lee <ann@example.com>",
                           *attendees, "-o", str(out))  # fmt: skip
        assert code == 0, err
    event = only_event(Calendar.from_ical((tmp_path / "review.ics").read_bytes()))
    found = [(str(a), a.params.get("CN")) for a in event["attendee"]]
    assert found == [
        ("mailto:ann@example.com", "Lee, Ann"),
        ("mailto:minjun@example.kr", "김민준"),
        ("mailto:bob@example.com", None),
    ]
    message = email.message_from_bytes((tmp_path / "review.eml").read_bytes(), policy=email.policy.default)
    assert [a.addr_spec for a in message["To"].addresses] == ["ann@example.com", "minjun@example.kr", "bob@example.com"]
    assert [a.display_name for a in message["To"].addresses] == ["Lee, Ann", "김민준", ""]
    assert "Bcc" not in message and "Cc" not in message


def test_a_calendar_summary_with_a_line_break_is_one_subject_line(
    deck: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    exported = tmp_path / "meeting.ics"
    exported.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        b"SUMMARY:Weekly\\nBcc: eve@evil.example\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n"
        b"DTSTAMP:20261201T090000Z\r\nORGANIZER:mailto:a@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    out = tmp_path / "review.eml"
    code, _, err = run(capsys, "attach", str(deck), "--ics", str(exported), "-o", str(out))
    assert code == 0, err
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Weekly Bcc: eve@evil.example" and "Bcc" not in message
