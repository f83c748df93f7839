"""`deckgen check --by owner -o DIR --mail`: one draft per owner with an address, read back with the standard
library's e-mail parser: headers, both bodies, the attached list; owners without an address are listed."""

from __future__ import annotations

import email.policy
import unicodedata
from datetime import date
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from deck_helpers import run
from fix_lists import AS_OF, CONFIG, FILES, FORMULA, KIM_ROWS, write_export

from deckgen.invite.fixmail import Attachment, Letter, fix_mail
from deckgen.invite.meeting import Person


def check(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> tuple[int, str, str]:
    export, config = folder / "export.csv", folder / "deckgen.toml"
    return run(capsys, "check", str(export), "--as-of", AS_OF, "--config", str(config), *args)


def parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def test_a_draft_per_owner_with_the_list_attached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    folder = tmp_path / "fixes"
    code, out, err = check(
        capsys, tmp_path, "--by", "owner", "-o", str(folder), "--mail", "--mail-from", "Ann Lee <ann@example.com>"
    )
    assert code == 0
    assert sorted(path.name for path in folder.glob("*.eml")) == [f"{FILES['Bob Stone']}.eml", f"{FILES['김민수']}.eml"]
    mail = parse(folder / f"{FILES['김민수']}.eml")
    assert mail["Subject"] == "김민수: 2 items to fix in the CRM before the pipeline review"
    assert mail["To"].addresses[0].display_name == "김민수"
    assert mail["To"].addresses[0].addr_spec == "minsu@example.com"
    assert str(mail["From"]) == "Ann Lee <ann@example.com>"
    assert mail["X-Unsent"] == "1"
    assert mail["Date"].datetime.date().isoformat() == AS_OF
    assert mail["Message-ID"].endswith("@deckgen.invalid>")
    raw = (folder / f"{FILES['김민수']}.eml").read_bytes()
    assert raw.isascii()  # every header and part encoded: Hangul travels as MIME words and base64/QP
    assert b"Subject: =?utf-8?" in raw
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    plain = text.get_content().replace("\r\n", "\n")
    assert plain.startswith("Hello 김민수,\n\nBefore the pipeline review, please fix these 2 items in the CRM")
    assert f"1. missing amount | D-2 | {FORMULA} | Evil Corp | Amount | enter the amount\n" in plain
    assert f"   {KIM_ROWS[0][7]}\n" in plain
    page = html.get_content()
    assert "<th>check</th><th>deal id</th><th>deal</th><th>account</th>" in page
    assert "<td>=HYPERLINK(&quot;http://evil.example/&quot;,&quot;x&quot;)</td>" in page
    assert f'<a href="{KIM_ROWS[1][7]}">open</a>' in page
    assert "<td>한국전자통신연구원</td>" in page
    (attached,) = list(mail.iter_attachments())
    assert attached.get_filename() == f"{FILES['김민수']}.xlsx"
    assert attached.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"filename*=utf-8''fixes-2026-11-27-%EA%B9%80%EB%AF%BC%EC%88%98.xlsx" in raw  # RFC 2231
    assert attached.get_content() == (folder / f"{FILES['김민수']}.xlsx").read_bytes()
    # Bob's address and display name come from [owners].
    bob = parse(folder / f"{FILES['Bob Stone']}.eml")
    assert str(bob["To"]) == "Bob Stone <bob@example.com>"
    assert bob["Subject"] == "Bob Stone: 2 items to fix in the CRM before the pipeline review"
    assert "No e-mail" not in out
    assert err.count("note: ") == 1 and "so no mail: Ann Lee (listed in index.xlsx;" in err


def test_owners_without_an_address_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    write_export(tmp_path)
    folder = tmp_path / "fixes"
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(folder), "--mail")[0] == 0
    assert not (folder / f"{FILES['Ann Lee']}.eml").exists()
    rows = list(openpyxl.load_workbook(folder / "index.xlsx").active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("e-mail", "mail")
    assert [row[-2:] for row in rows[1:]] == [
        ("no address", None),
        ("bob@example.com", f"{FILES['Bob Stone']}.eml"),
        ("minsu@example.com", f"{FILES['김민수']}.eml"),
    ]
    assert "From" not in parse(folder / f"{FILES['Bob Stone']}.eml")  # no sender given: a draft without From


def test_csv_lists_are_attached_as_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path)
    folder = tmp_path / "fixes"
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(folder), "--mail", "--format", "csv")[0] == 0
    (attached,) = list(parse(folder / f"{FILES['김민수']}.eml").iter_attachments())
    assert (attached.get_content_type(), attached.get_content_charset()) == ("text/csv", "utf-8")
    assert attached.get_payload(decode=True) == (folder / f"{FILES['김민수']}.csv").read_bytes()


def test_mail_from_in_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_export(tmp_path, config='mail_from = "영업관리 <sales-ops@example.com>"\n' + CONFIG)
    folder = tmp_path / "fixes"
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(folder), "--mail")[0] == 0
    sender = parse(folder / f"{FILES['Bob Stone']}.eml")["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("영업관리", "sales-ops@example.com")


@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        (
            CONFIG.replace("Bob Stone <bob@example.com>", "bob@example.com, eve@example.com"),
            (),
            "Error: {config}: 'owners.Bob Stone' 'bob@example.com, eve@example.com' is not one e-mail address; "
            "write name@example.com or 'Name <name@example.com>'",
        ),
        (
            CONFIG,
            ("--mail-from", "ann@example.com\r\nBcc: eve@example.com"),
            "Error: --mail-from 'ann@example.com\\r\\nBcc: eve@example.com' is more than one e-mail address "
            "(give each address with its own --mail-from)",
        ),
        (
            'mail_from = "not an address"\n' + CONFIG,
            (),
            "Error: {config}: 'mail_from' 'not an address' is not one e-mail address; write 'Name <name@example.com>'",
        ),
        (
            CONFIG,
            ("--email-column", "Manager Email"),
            "Error: {export}: has no column 'Manager Email' for the owners' e-mail addresses (columns: ",
        ),
    ],
)
def test_a_bad_address_is_one_line_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, args: tuple[str, ...], message: str
) -> None:
    write_export(tmp_path, config=config)
    code, out, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--mail", *args)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(message.format(config=tmp_path / "deckgen.toml", export=tmp_path / "export.csv"))
    assert not (tmp_path / "fixes").exists()


def test_a_bad_address_in_the_export_names_its_column_and_owner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export, _ = write_export(tmp_path)
    export.write_text(
        export.read_text(encoding="utf-8").replace("minsu@example.com,East,Proposal", "kim@example.com,East,Proposal"),
        encoding="utf-8",
    )
    code, out, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--mail")
    assert (code, out) == (2, "")
    assert err == (
        f"Error: {export}, column 'Owner Email': owner '김민수' has two addresses, 'minsu@example.com' and "
        "'kim@example.com' (give the owner's address in [owners] in deckgen.toml)\n"
    )
    export.write_text(
        export.read_text(encoding="utf-8").replace("minsu@example.com,", "Kim <minsu@example.com>>,"), encoding="utf-8"
    )
    code, out, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--mail")
    assert err == (
        f"Error: {export}, column 'Owner Email': 'Kim <minsu@example.com>>' (owner '김민수') is not one e-mail "
        "address (write name@example.com in the CRM, or give the owner's address in [owners] in deckgen.toml)\n"
    )
    assert not (tmp_path / "fixes").exists()


def test_the_subject_is_one_line_and_the_bytes_repeat() -> None:
    letter = Letter(
        to=Person("이서연", "seoyeon@example.com"),
        sender=None,
        subject="이서연:\r\n3 items\x00 to fix",
        greeting="Hello 이서연,",
        intro="Please fix these.",
        header=["check", "link"],
        rows=[["past due", "open"]],
        link_column=1,
        links=["https://crm.example.com/deals/1"],
        more="",
        closing="Thank you.",
    )
    attachment = Attachment(b"PK\x03\x04 not really a workbook", "이서연.xlsx", "application/octet-stream")
    data = fix_mail(letter, attachment, date(2026, 11, 27))
    assert data == fix_mail(letter, attachment, date(2026, 11, 27))
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert message["Subject"] == "이서연: 3 items to fix"
    (attached,) = list(message.iter_attachments())
    assert attached.get_content() == attachment.data


def test_a_long_list_is_cut_in_the_body_not_in_the_attachment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"L-{i},Late {i},Acme,김민수,minsu@example.com,Proposal,{1000 + i},30,2026-11-01" for i in range(103)]
    export = tmp_path / "export.csv"
    export.write_text(
        "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Owner Email,Stage,Amount,Probability (%),"
        "Close Date\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "deckgen.toml").write_text("", encoding="utf-8")
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--mail", "--format", "csv")[0] == 0
    mail = parse(tmp_path / "fixes" / f"{FILES['김민수']}.eml")
    assert mail["Subject"] == "김민수: 103 items to fix in the CRM before the pipeline review"
    text = mail.get_body(("plain",))
    assert text is not None
    plain = text.get_content().replace("\r\n", "\n")
    assert "\n1. past due | L-102 |" in plain and "\n100. past due | L-3 |" in plain  # the largest first
    assert "\n101. " not in plain
    assert "\n… and 3 more in the attached list.\n" in plain
    (attached,) = list(mail.iter_attachments())
    payload = attached.get_payload(decode=True)
    assert isinstance(payload, bytes) and payload.decode("utf-8-sig").count("\r\n") == 104


def test_owners_in_the_config_match_whatever_the_unicode_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decomposed = unicodedata.normalize("NFD", "김민수")  # as a Mac may save the name typed
    assert decomposed != "김민수"
    write_export(tmp_path, config=f'[owners]\n"{decomposed}" = "민수 <kim.minsu@example.com>"\n')
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--mail")[0] == 0
    to = parse(tmp_path / "fixes" / f"{FILES['김민수']}.eml")["To"].addresses[0]
    assert (to.display_name, to.addr_spec) == ("민수", "kim.minsu@example.com")  # [owners] wins over the column


def test_korean_lists_and_mails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    write_export(tmp_path)
    folder = tmp_path / "fixes"
    assert check(capsys, tmp_path, "--by", "owner", "-o", str(folder), "--mail", "--lang", "ko")[0] == 0
    rows = list(openpyxl.load_workbook(folder / f"{FILES['김민수']}.xlsx").active.iter_rows(values_only=True))
    assert rows[0] == ("점검 항목", "딜 ID", "딜", "고객사", "수정할 필드", "현재 값", "조치", "링크")
    assert rows[2][0] == "기한 경과" and rows[2][6] == "26일 지연 (11월 1일): 종결하거나 마감일을 변경하세요"
    index = list(openpyxl.load_workbook(folder / "index.xlsx").active.iter_rows(values_only=True))
    assert index[0][0] == "담당자" and index[0][-4:] == ("합계", "파일", "이메일", "메일")
    assert index[1][-2:] == ("주소 없음", None)  # Ann Lee
    mail = parse(folder / f"{FILES['김민수']}.eml")
    assert mail["Subject"] == "김민수님: 파이프라인 리뷰 전 CRM에서 수정할 항목 2건"
    text = mail.get_body(("plain",))
    assert text is not None
    assert text.get_content().startswith(
        "김민수님, 안녕하세요.\r\n\r\n파이프라인 리뷰 전에 CRM에서 아래 2건을 수정해 주세요"
    )
    html = mail.get_body(("html",))
    assert html is not None and '">열기</a>' in html.get_content()


def test_a_mail_too_big_for_mail_servers_is_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 12,000 past-due deals with long, different names: the CSV list alone is over 10 MB.
    rows = [f"L-{i},{'x' * 900} {i},Acme,Bo Kim,bo@example.com,Proposal,{i + 1},30,2026-11-01" for i in range(12_000)]
    (tmp_path / "export.csv").write_text(
        "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Owner Email,Stage,Amount,Probability (%),"
        "Close Date\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "deckgen.toml").write_text("", encoding="utf-8")
    code, _, err = check(capsys, tmp_path, "--by", "owner", "-o", str(tmp_path / "fixes"), "--mail", "--format", "csv")
    assert code == 0
    size = (tmp_path / "fixes" / "fixes-2026-11-27-Bo Kim.eml").stat().st_size
    assert size > 10 * 1024**2
    assert err == (
        f"note: fixes-2026-11-27-Bo Kim.eml: {size / 1024**2:.1f} MB, above the 10 MB many mail servers take: "
        "share the list instead\n"
    )
