"""Reading real-world-shaped mail (tests/data/mail): bodies, charsets, encoded words, attachments, automatic replies
and delivery-status notifications; quotes and signatures folded for display."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_console.mail.html_text import html_to_text
from agent_console.mail.parse import MailRejected, decode_text, parse_mail, sanitised_filename
from agent_console.mail.quotes import fold_quotes, visible_text

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"


def corpus(name: str):
    return parse_mail((CORPUS / name).read_bytes())


def test_outlook_html_only_mail_becomes_readable_text_without_tags_styles_or_scripts():
    mail = corpus("outlook_html_only.eml")
    assert mail.sender_address == "petra.schneider@firma-beispiel.de"
    assert mail.sender_name == "Schneider, Petra"
    assert "die Rechnung 2026-1187 über 149,90 € wurde zweimal" in mail.body
    assert "Mit freundlichen Grüßen" in mail.body
    for leftover in ("<", "MsoNormal", "font-family", "evil.example", "document.location", "&nbsp;"):
        assert leftover not in mail.body
    assert mail.language == "de" and mail.auto_reply is None


def test_gmail_multipart_alternative_takes_the_plain_text_part():
    mail = corpus("gmail_multipart.eml")
    assert mail.body.startswith("Hi there,\n\nmy order #88231 arrived damaged — the screen is cracked.")
    assert "<div" not in mail.body
    assert mail.message_id == "<CAJfK2x9Qm7wZ3Vb+8tP1o_hY4sN6eR0uD5cG2aL7kM@mail.gmail.com>"
    assert mail.language == "en"


@pytest.mark.parametrize("name, subject, sender, text", [
    ("german_qp_umlauts.eml", "Kündigung meines Abos", "Günther Köhler",
     "hiermit kündige ich mein Abonnement zum nächstmöglichen Termin."),
    ("iso_8859_1.eml", "Lieferadresse ändern", "Renate Weiß", "Große Straße 12, 50667 Köln."),
    ("encoded_word_subject.eml", "Problème de paiement – carte refusée", "François Bérangère",
     "my card was declined"),
])
def test_charsets_and_encoded_words_are_decoded(name, subject, sender, text):
    mail = corpus(name)
    assert mail.subject == subject
    assert mail.sender_name == sender
    assert text in mail.body


def test_an_attachment_is_kept_with_its_decoded_name_type_and_content():
    mail = corpus("attachment.eml")
    assert mail.body == "Please find my receipt attached."
    [attachment] = mail.attachments
    assert attachment.filename == "Kassenbon März.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.content.startswith(b"%PDF-1.4") and attachment.size == len(attachment.content)


def test_an_out_of_office_reply_is_recognised():
    mail = corpus("out_of_office.eml")
    assert mail.auto_reply == "Auto-Submitted: auto-replied"
    assert "nicht im Büro" in mail.body


@pytest.mark.parametrize("headers", ["Precedence: bulk", "Precedence: list", "X-Auto-Response-Suppress: OOF",
                                     "Subject: Out of Office: your request"])
def test_other_signs_of_an_automatic_reply(headers):
    lines = ["From: a@example.com", "Message-ID: <x@example.com>", headers, "", "body"]
    if not headers.startswith("Subject"):
        lines.insert(1, "Subject: hello")
    assert parse_mail("\r\n".join(lines).encode()).auto_reply


def test_a_read_receipt_is_an_automatic_reply_and_no_bounce():
    raw = (b"From: a@example.com\r\nSubject: Read: your request\r\n"
           b"Content-Type: multipart/report; report-type=disposition-notification; boundary=R\r\n\r\n"
           b"--R\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
           b"--R\r\nContent-Type: message/disposition-notification\r\n\r\nDisposition: manual-action/MDN-sent-"
           b"manually; displayed\r\n--R--\r\n")
    mail = parse_mail(raw)
    assert mail.bounce is None and mail.auto_reply == "report: disposition-notification"
    assert mail.body == "Your message was read."


def test_a_person_writing_is_no_automatic_reply():
    assert parse_mail(b"From: a@example.com\r\nSubject: Auto parts order\r\nAuto-Submitted: no\r\n\r\nhi"
                      ).auto_reply is None


def test_a_delivery_status_notification_names_the_mail_it_reports_on():
    mail = corpus("dsn_bounce.eml")
    bounce = mail.bounce
    assert bounce is not None and bounce.original_message_id == "<ac.reply-0001@shop.example>"
    assert (bounce.status, bounce.action, bounce.recipient) == ("5.1.1", "failed", "maya.patel.88@gmail.com")
    assert "does not exist" in bounce.diagnostic
    assert mail.auto_reply is None  # a bounce is its own kind


def test_threading_headers_in_lookup_order():
    mail = corpus("reply_in_reply_to.eml")
    assert mail.thread_ids() == ["<ac.reply-0001@shop.example>",
                                 "<CAJfK2x9Qm7wZ3Vb+8tP1o_hY4sN6eR0uD5cG2aL7kM@mail.gmail.com>"]


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    (b"   \r\n", "empty"),
    (b"Subject: no sender\r\n\r\nhello", "no sender"),
    (b"From: not an address\r\nSubject: x\r\n\r\nhello", "no sender"),
])
def test_input_that_is_no_acceptable_mail_is_rejected_with_a_reason(raw, reason):
    with pytest.raises(MailRejected, match=reason):
        parse_mail(raw)


def test_wrong_and_unknown_charsets_fall_back_without_losing_text():
    assert decode_text("Grüße".encode("utf-8"), "x-unknown-charset") == "Grüße"
    assert decode_text("Grüße €".encode("cp1252"), "utf-8") == "Grüße €"
    assert decode_text("Grüße €".encode("cp1252"), "iso-8859-1") == "Grüße €"
    assert decode_text(b"\x81\x8d", "ascii") == "\ufffd\ufffd"


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\invoice.pdf", "invoice.pdf"),
    ("\x1b[31mred\x07.txt", "_[31mred_.txt"),
    ("...", "attachment-3.pdf"),
    (None, "attachment-3.pdf"),
])
def test_attachment_names_are_sanitised(name, expected):
    assert sanitised_filename(name, "application/pdf", 3) == expected


def test_a_very_long_attachment_name_keeps_its_extension():
    name = sanitised_filename("x" * 400 + ".pdf", "application/pdf", 1)
    assert len(name) == 255 and name.endswith(".pdf")


def test_html_to_text_drops_scripts_and_keeps_structure():
    text = html_to_text("<p>One&amp;two</p><script>alert(1)</script><ul><li>a</li><li>b</li></ul>"
                        "<a href='https://example.com/x'>link</a><style>p{}</style>")
    assert text == "One&two\n\n- a\n- b\nlink <https://example.com/x>"


def test_quotes_and_signatures_fold_but_every_line_stays():
    body = ("Thanks, still broken.\n\nOn Thu, 3 Dec 2026 at 13:00, Support <s@x> wrote:\n> Hello\n> bye")
    segments = fold_quotes(body)
    assert "\n".join(s.text for s in segments) == body
    assert visible_text(body) == ("Thanks, still broken.", 3)


@pytest.mark.parametrize("body, shown", [
    ("Danke!\n\nAm 3. Dez. 2026 um 10:00 schrieb Support <s@x.de>:\n> alt", "Danke!"),
    ("Hallo\n\n-----Ursprüngliche Nachricht-----\nVon: a\nGesendet: b", "Hallo"),
    ("Hi\n\nFrom: Support <s@x>\nSent: Monday\nTo: me\nSubject: x\n\nold", "Hi"),
    ("Thanks\n\nOn Tue, 1 Dec 2026 at 10:00, Support\n<s@x.de> wrote:\n> old", "Thanks"),
    ("Hi\n> q1\nmy answer\n-- \nBob", "Hi\nmy answer"),
    ("Nothing quoted here.\nFrom: the warehouse, I think.", "Nothing quoted here.\nFrom: the warehouse, I think."),
])
def test_attributions_separators_outlook_headers_and_signatures_fold(body, shown):
    assert visible_text(body)[0] == shown


def test_of_two_alternatives_the_plain_text_wins_and_html_only_is_converted():
    both = (b"From: a@example.com\r\nSubject: x\r\nContent-Type: multipart/alternative; boundary=A\r\n\r\n"
            b"--A\r\nContent-Type: text/html\r\n\r\n<p>from the html part</p>\r\n"
            b"--A\r\nContent-Type: text/plain\r\n\r\nfrom the plain part\r\n--A--\r\n")
    assert parse_mail(both).body == "from the plain part"
    html_only = both.replace(b"Content-Type: text/plain\r\n\r\nfrom the plain part", b"Content-Type: image/png\r\n"
                             b"Content-Disposition: attachment; filename=a.png\r\n\r\nx")
    assert parse_mail(html_only).body == "from the html part"
