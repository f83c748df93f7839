"""`check --by`: each owner's (or team's, ...) fix list as a workbook, an index of them, and with `mail` one e-mail
draft per owner. Everything is computed and checked before the first file is written; each file is written whole
or not at all (deckgen.atomic)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.api import Export, review
from deckgen.atomic import check_output, reading, write_bytes
from deckgen.config import Settings, normalize_key
from deckgen.errors import ConfigError, InputError, OptionError, option, worded

if TYPE_CHECKING:
    import pandas as pd

    from deckgen.ingest.pipeline import Pipeline
    from deckgen.invite.fixmail import Letter
    from deckgen.invite.meeting import Person
    from deckgen.model.types import Metrics
    from deckgen.render.fixes import FixRow
    from deckgen.render.workbook import Encoded, Table

FORMATS = ("xlsx", "csv")
LANGUAGES = ("en", "ko")
MAIL_ROWS = 100  # findings listed in a mail's body; the attached list has them all
# Export headers taken for the owners' e-mail addresses when none is named (compared as config.normalize_key does).
EMAIL_HEADERS = (
    "owneremail",
    "owneremailaddress",
    "dealowneremail",
    "opportunityowneremail",
    "salesrepemail",
    "salespersonemail",
    "assignedtoemail",
)


@dataclass(frozen=True)
class GroupFixes:
    """One group's fix list as written: its counts per check, its file, and (owners) its address and mail."""

    group: str
    counts: dict[str, int]
    file: Path
    email: str | None = None
    mail: Path | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class FixLists:
    """What `write_fix_lists` wrote: the groups (most findings first), the index, notes for the user."""

    groups: list[GroupFixes]
    index: Path
    column: str
    marked: list[str] = field(default_factory=list)  # the notes, options marked (deckgen.errors.option)

    @property
    def notes(self) -> list[str]:
        """Notes for the user, options named by their library names (`marked` for a front end's own words)."""
        return [worded(note) for note in self.marked]

    @property
    def findings(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def unaddressed(self) -> list[str]:
        """Owners with findings but no e-mail address (no mail was written for them); none for other groups."""
        return [group.group for group in self.groups if group.email is None] if self.column == "owner" else []


def write_fix_lists(
    export: Export,
    folder: Path | str,
    by: str = "owner",
    *,
    file_format: str = "xlsx",
    mail: bool = False,
    mail_from: str | None = None,
    email_column: str | None = None,
    lang: str = "en",
    previous: Export | None = None,
    settings: Settings | None = None,
    as_of: date | None = None,
) -> FixLists:
    """One fix list per group of column `by` (owner, team, any header) in `folder`, as XLSX or CSV, with
    `index.xlsx` (or .csv) listing them; with `mail` (owners only), an .eml draft per owner with an address.

    Addresses: [owners] in the settings, else the export's e-mail column (`email_column`, the settings'
    owner_email_column, or a header such as 'Owner Email'). mail_from (else the settings' mail_from): the
    drafts' sender; without one they have no From. lang: 'en' or 'ko', the words of the lists and the mails.
    """
    settings = settings if settings is not None else Settings()
    out = Path(folder)
    _check_options(out, by, file_format, mail, lang)
    asked = _Asked(
        by,
        file_format,
        lang,
        mail,
        _sender(mail_from, settings) if mail else None,
        _configured_addresses(settings),
        email_column or settings.owner_email_column,
    )
    inputs = [Path(export), *([Path(previous)] if previous is not None else [])]
    if settings.source != "defaults":
        inputs.append(Path(settings.source))
    if settings.history is not None:
        inputs += [Path(settings.history), Path(f"{settings.history}.wal")]
    with reading(inputs):
        computed = review(export, settings, as_of, previous, max_findings=None)
        return _write(computed.pipeline, computed.metrics, settings, out, asked)


@dataclass(frozen=True)
class _Asked:
    """What a fix-list run writes, checked before the export is read."""

    by: str
    file_format: str
    lang: str
    mail: bool
    sender: Person | None
    configured: dict[str, Person]  # [owners], by owner name as _key compares them
    email_column: str | None


def _check_options(out: Path, by: str, file_format: str, mail: bool, lang: str) -> None:
    if lang not in LANGUAGES:
        raise OptionError(f"{option('lang')} {lang!r} is not one of {', '.join(LANGUAGES)}", "lang")
    if file_format not in FORMATS:
        raise OptionError(f"{option('format')} {file_format!r} is not one of {', '.join(FORMATS)}", "format")
    if out.suffix.lower() in (".xlsx", ".csv", ".eml") or (out.exists() and not out.is_dir()):
        raise OptionError(f"{out} is a file; with {option('by')}, {option('output')} names a folder", "output")
    if mail and by.casefold() != "owner":
        raise OptionError(f"{option('mail')} writes one mail per owner: it goes with {option('by')} owner", "mail")


def _sender(mail_from: str | None, settings: Settings) -> Person | None:
    from deckgen.invite.meeting import person

    if mail_from is not None:
        return person(mail_from, "mail_from")
    if settings.mail_from is None:
        return None
    try:
        return person(settings.mail_from, "mail_from")
    except InputError:
        raise ConfigError(
            settings.source,
            [f"'mail_from' {settings.mail_from!r} is not one e-mail address; write 'Name <name@example.com>'"],
        ) from None


def _configured_addresses(settings: Settings) -> dict[str, Person]:
    """[owners], each address parsed strictly; one bad address is the config's error, naming the owner."""
    from deckgen.invite.meeting import person

    people = {}
    for owner, text in settings.owners.items():
        try:
            people[_key(owner)] = person(text, "owners")
        except InputError:
            raise ConfigError(
                settings.source,
                [
                    f"'owners.{owner}' {text!r} is not one e-mail address; "
                    "write name@example.com or 'Name <name@example.com>'"
                ],
            ) from None
    return people


def _key(name: str) -> str:
    """Owner names as compared: NFC (a Hangul name typed on macOS and on Windows is the same), outer spaces off."""
    return unicodedata.normalize("NFC", name).strip()


def _write(pipeline: Pipeline, metrics: Metrics, settings: Settings, out: Path, asked: _Asked) -> FixLists:
    from deckgen.batch import file_names, resolve_column
    from deckgen.render.fixes import fix_rows

    file_format, lang, mail = asked.file_format, asked.lang, asked.mail
    frame = pipeline.frame
    column = resolve_column(frame, asked.by)
    rows = fix_rows(metrics, frame, pipeline.columns, column, settings.record_url, settings.source, lang)
    names = sorted(rows, key=lambda name: (-len(rows[name]), name))
    owners = column == "owner"
    addresses = _addresses(pipeline, names, asked.configured, asked.email_column) if owners else {}
    suffix = f".{file_format}"
    files = file_names(names, f"fixes-{metrics.as_of.isoformat()}", suffix)
    checks = _checks(rows)
    notes: list[str] = []
    outputs: dict[Path, bytes] = {}
    groups = []
    for name in names:
        encoded = _encode(_table(rows[name], not owners, lang), file_format, metrics.as_of, f"Fixes: {name}")
        notes += [f"{files[name]}: {note}" for note in encoded.notes]
        path = out / files[name]
        outputs[path] = encoded.data
        person = addresses.get(name)
        draft = None
        if mail and person is not None:
            draft = path.with_suffix(".eml")
            letter = _letter(name, person, asked.sender, rows[name], path.name, metrics.as_of, lang)
            outputs[draft] = _mail(letter, encoded.data, path.name, file_format, metrics.as_of)
            from deckgen.invite.calendar import MAIL_LIMIT_BYTES

            if len(outputs[draft]) > MAIL_LIMIT_BYTES:
                notes.append(
                    f"{draft.name}: {len(outputs[draft]) / 1024**2:.1f} MB, above the {MAIL_LIMIT_BYTES // 1024**2} MB "
                    "many mail servers take: share the list instead"
                )
        counts = dict.fromkeys(checks, 0)
        for row in rows[name]:
            counts[row.check] += 1
        groups.append(GroupFixes(name, counts, path, person.email if person else None, draft))
    index = out / f"index{suffix}"
    listed = _index(groups, checks, column, owners, mail, lang)
    outputs[index] = _encode(listed, file_format, metrics.as_of, "Fix lists").data
    for path in outputs:  # every file checked before any is written: one refused, none written
        check_output(path)
    for path, data in outputs.items():
        write_bytes(path, data)
    result = FixLists(groups, index, column, notes)
    if not groups:
        result.marked.append(f"no hygiene findings: {index.name} lists no {column}")
    if mail and result.unaddressed:
        missing = result.unaddressed
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        result.marked.append(
            f"no e-mail address for {len(missing)} owner(s), so no mail: {shown} (listed in {index.name}; add them "
            f"to [owners] in deckgen.toml or name the export's e-mail column with {option('email_column')})"
        )
    return result


def _checks(rows: dict[str, list[FixRow]]) -> list[str]:
    """The checks with any finding, most urgent first."""
    from deckgen.render.fixes import URGENCY

    found = {row.check for group in rows.values() for row in group}
    return [check for check in URGENCY if check in found]


def _table(rows: list[FixRow], with_owner: bool, lang: str, link_text: str | None = None) -> Table:
    from deckgen.render.fixes import header
    from deckgen.render.workbook import Table

    cells = []
    for row in rows:
        texts: list[str | int] = list(row.cells(with_owner, lang))
        if link_text is not None and row.link:
            texts[-1] = link_text
        cells.append(texts)
    names = header(with_owner, lang)
    return Table("Fixes", names, cells, len(names) - 1, [row.link for row in rows])


def _encode(table: Table, file_format: str, as_of: date, title: str) -> Encoded:
    from deckgen.render.workbook import TooManyRows, csv_bytes, xlsx

    if file_format == "csv":
        return csv_bytes(table)
    try:
        return xlsx(table, as_of, title)
    except TooManyRows as error:
        raise OptionError(f"{title}: {error}; write CSV with {option('format')} csv", "format") from None


def _index(groups: list[GroupFixes], checks: list[str], column: str, owners: bool, mail: bool, lang: str) -> Table:
    from deckgen.render.fixes import word
    from deckgen.render.i18n import tr
    from deckgen.render.text import LABELS
    from deckgen.render.workbook import Table

    heading = word(column, lang) if column in ("owner", "team") else column
    names = [heading, *(tr(LABELS[check], lang) for check in checks), word("total", lang), word("file", lang)]
    if owners:
        names.append(word("e-mail", lang))
    if mail:
        names.append(word("mail", lang))
    cells = []
    for group in groups:
        row: list[str | int] = [group.group, *(group.counts.get(check, 0) for check in checks), group.total]
        row.append(group.file.name)
        if owners:
            row.append(group.email or word("no address", lang))
        if mail:
            row.append(group.mail.name if group.mail else "")
        cells.append(row)
    return Table("Index", names, cells)


def _addresses(
    pipeline: Pipeline, owners: list[str], configured: dict[str, Person], email_column: str | None
) -> dict[str, Person]:
    """Each owner's address: [owners] first, else the export's e-mail column (one address per owner)."""
    from deckgen.invite.meeting import Person

    column = _email_column(pipeline.frame, email_column, pipeline.file)
    found = _column_addresses(pipeline, column, owners) if column is not None else {}
    result = {}
    for owner in owners:
        person = configured.get(_key(owner)) or found.get(owner)
        if person is not None:
            result[owner] = Person(person.name or owner, person.email)
    return result


def _email_column(frame: pd.DataFrame, named: str | None, file: str) -> str | None:
    if named is not None:
        for column in frame.columns:
            if str(column).casefold() == named.casefold():
                return str(column)
        headers = ", ".join(str(c) for c in frame.columns)
        raise InputError(
            f"has no column '{named}' for the owners' e-mail addresses (columns: {headers})",
            file=file,
            hint=f"check {option('email_column')} or owner_email_column in deckgen.toml",
        )
    return next((str(c) for c in frame.columns if normalize_key(str(c)) in EMAIL_HEADERS), None)


def _column_addresses(pipeline: Pipeline, column: str, owners: list[str]) -> dict[str, Person]:
    from deckgen.invite.meeting import person

    frame = pipeline.frame
    wanted = frame["owner"].astype(str).isin(owners).to_numpy()
    pairs = frame.loc[wanted, ["owner", column]].dropna().astype(str)
    result: dict[str, Person] = {}
    given: dict[str, str] = {}
    for owner, text in pairs.drop_duplicates().itertuples(index=False):
        if not text.strip():
            continue
        try:
            found = person(text, "email_column")
        except InputError:
            raise InputError(
                f"{text!r} (owner {owner!r}) is not one e-mail address",
                file=pipeline.file,
                column=column,
                hint="write name@example.com in the CRM, or give the owner's address in [owners] in deckgen.toml",
            ) from None
        if owner in given and found.email.casefold() != result[owner].email.casefold():
            raise InputError(
                f"owner {owner!r} has two addresses, {given[owner]!r} and {text!r}",
                file=pipeline.file,
                column=column,
                hint="give the owner's address in [owners] in deckgen.toml",
            )
        given.setdefault(owner, text)
        result.setdefault(owner, found)
    return result


def _letter(
    owner: str, to: Person, sender: Person | None, rows: list[FixRow], filename: str, as_of: date, lang: str
) -> Letter:
    """What an owner's mail says, in `lang`: their first MAIL_ROWS findings, the rest in the attachment."""
    from deckgen.invite.fixmail import Letter
    from deckgen.render.fixes import word

    count = len(rows)
    plural = "s" if count != 1 else ""
    shown = _table(rows[:MAIL_ROWS], False, lang, link_text=word("open", lang))
    return Letter(
        to=to,
        sender=sender,
        subject=word("subject", lang, owner=owner, count=count, s=plural),
        greeting=word("greeting", lang, name=to.name or owner),
        intro=word("intro", lang, count=count, s=plural, as_of=as_of.isoformat(), file=filename),
        header=list(shown.header),
        rows=[[str(cell) for cell in row] for row in shown.rows],
        link_column=shown.link_column,
        links=list(shown.links),
        more=word("more", lang, count=count - MAIL_ROWS) if count > MAIL_ROWS else "",
        closing=word("closing", lang),
    )


def _mail(letter: Letter, data: bytes, filename: str, file_format: str, as_of: date) -> bytes:
    from deckgen.invite.fixmail import Attachment, fix_mail
    from deckgen.render.workbook import CSV_TYPE, XLSX_TYPE

    mime = XLSX_TYPE if file_format == "xlsx" else CSV_TYPE
    return fix_mail(letter, Attachment(data, filename, mime), as_of)
