"""An owner's fix list as an e-mail draft (RFC 5322, MIME): a greeting, the list as an HTML table with a plain-text
alternative, the workbook attached; `X-Unsent: 1`, so Outlook opens it as a draft ready to send.

Date and Message-ID come from the as-of date and the content, so the same list gives the same bytes.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from deckgen.invite.meeting import Person


@dataclass(frozen=True)
class Letter:
    """What the mail says: the words are the caller's; `rows` are the cells under `header`, `links` one address
    (or None) per row for the cell in `link_column`; `more`: rows of the list not shown in the body."""

    to: Person
    sender: Person | None
    subject: str
    greeting: str
    intro: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    link_column: int | None
    links: Sequence[str | None]
    more: str
    closing: str


@dataclass(frozen=True)
class Attachment:
    data: bytes
    filename: str
    mime_type: str


def one_line(text: str) -> str:
    """A header's text on one line: control characters and line breaks become spaces, runs of spaces one."""
    return " ".join("".join(" " if ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F else ch for ch in text).split())


def fix_mail(letter: Letter, attachment: Attachment, as_of: date) -> bytes:
    """The draft's bytes (CRLF line ends)."""
    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = one_line(letter.subject)
    if letter.sender is not None:
        mail.set_raw("From", formataddr((letter.sender.name, letter.sender.email), charset="utf-8"))
    mail.set_raw("To", formataddr((letter.to.name, letter.to.email), charset="utf-8"))
    mail["Date"] = format_datetime(datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC))
    digest = hashlib.sha256()
    for part in (letter.to.email, letter.subject, as_of.isoformat(), attachment.filename):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(attachment.data)
    mail["Message-ID"] = f"<{digest.hexdigest()[:32]}@deckgen.invalid>"
    mail["X-Unsent"] = "1"
    mail.set_content(_text(letter))
    mail.add_alternative(_html(letter), subtype="html")
    maintype, subtype = attachment.mime_type.split("/")
    params = {"charset": "utf-8"} if maintype == "text" else {}  # a CSV list is UTF-8 (with a byte-order mark)
    mail.add_attachment(
        attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename, params=params
    )
    # Boundaries from the content, not at random: the same list, the same bytes.
    for number, section in enumerate(mail.walk()):
        if section.is_multipart():
            section.set_boundary(f"=_deckgen_{digest.hexdigest()[:24]}_{number}")
    return mail.as_bytes()


def _text(letter: Letter) -> str:
    lines = [letter.greeting, "", letter.intro, ""]
    shown = [i for i in range(len(letter.header)) if i != letter.link_column]
    for number, row in enumerate(letter.rows, start=1):
        lines.append(f"{number}. " + " | ".join(row[i] for i in shown if row[i]))
        link = letter.links[number - 1] if letter.links else None
        if link:
            lines.append(f"   {link}")
    if letter.more:
        lines += ["", letter.more]
    lines += ["", letter.closing]
    return "\n".join(lines) + "\n"


def _html(letter: Letter) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in letter.header)
    body = []
    for number, row in enumerate(letter.rows):
        link = letter.links[number] if letter.links else None
        cells = []
        for column, value in enumerate(row):
            text = html.escape(value)
            if column == letter.link_column and link:
                text = f'<a href="{html.escape(link, quote=True)}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = f"<p>{html.escape(letter.more)}</p>" if letter.more else ""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f"<p>{html.escape(letter.greeting)}</p><p>{html.escape(letter.intro)}</p>"
        '<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"{more}<p>{html.escape(letter.closing)}</p></body></html>\n"
    )
