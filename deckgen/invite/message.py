"""The meeting request as an e-mail (RFC 5322, MIME): a readable body, the invite, the deck attached.

Outlook opens a .eml with `X-Unsent: 1` as a draft ready to send; Thunderbird opens it as a message whose
invite it offers to accept. The calendar part carries no copy of the deck: the mail attachment is the deck.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from icalendar import Calendar

from deckgen.invite.calendar import PPTX_TYPE, Deck, as_list
from deckgen.invite.meeting import Meeting


def message(calendar: Calendar, deck: Deck, meeting: Meeting, body: str, now: datetime, attach: bool) -> bytes:
    event = calendar.walk("VEVENT")[0]
    mail = EmailMessage(policy=SMTP)
    # One line: a meeting's SUMMARY from a calendar file may hold line breaks, a header may not.
    mail["Subject"] = " ".join(str(event.get("summary", deck.name)).split())
    organizer = str(event.get("organizer", "")).removeprefix("mailto:")
    sender = meeting.organizer
    mail.set_raw("From", _addresses([(sender.name, sender.email)] if sender else [("", organizer)]))
    recipients = [(p.name, p.email) for p in meeting.attendees] or [
        ("", str(a).removeprefix("mailto:")) for a in as_list(event.get("attendee"))
    ]
    if recipients:
        mail.set_raw("To", _addresses(recipients))
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain="deckgen.invalid")
    mail["X-Unsent"] = "1"
    mail.set_content(body)
    # The invite as an alternative of the body, as calendar programs send it, so mail clients show the buttons.
    mail.add_alternative(
        calendar.to_ical().decode("utf-8"), subtype="calendar", params={"method": "REQUEST"}, cte="base64"
    )
    mail.make_mixed()
    if attach:
        maintype, subtype = PPTX_TYPE.split("/")
        mail.add_attachment(deck.data, maintype=maintype, subtype=subtype, filename=deck.name)
    return mail.as_bytes()


def _addresses(people: list[tuple[str, str]]) -> str:
    """An address header's value, one address a line, names encoded here: Python's own folding of a header
    with a non-ASCII name encodes the comma after it ('=?utf-8?q?=2C?='), and a reader then finds two
    addresses where three were written."""
    return ",\r\n ".join(formataddr((name, address), charset="utf-8") for name, address in people)
