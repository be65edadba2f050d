"""What a received mail becomes in a real store (domain/mail_intake): new cases with their acknowledgement,
replies threaded onto their case as a new contact, automatic replies and bounces recorded without a new case,
refusals, idempotence — and hostile mail giving a case or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from agent_console.domain.cases import CaseService
from agent_console.domain.mail_intake import IntakeOptions, IntakeSetupError, MailRefused, ingest
from agent_console.store.mail_records import queue_outgoing_mail
from agent_console.store.models import (Case, Customer, MailOutbox, MailReceipt, Message, MessageAttachment)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
OPTIONS = IntakeOptions(mail_from="Support <support@shop.example>", queue="General")


def mail(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def rows(store, model, *where):
    with store.session() as session:
        return list(session.exec(select(model).where(*where)).all())


def thread(store, key: str) -> list[Message]:
    with store.session() as session:
        case = session.exec(select(Case).where(Case.key == key)).one()
        return list(session.exec(select(Message).where(Message.case_id == case.id).order_by(Message.id)).all())


def case(store, key: str) -> Case:
    return rows(store, Case, Case.key == key)[0]


def test_a_german_html_mail_becomes_a_case_with_readable_text_and_a_german_acknowledgement(store, clock):
    result = ingest(store, clock, mail("outlook_html_only.eml"), OPTIONS)
    assert (result.outcome, result.case_key, result.acknowledged) == ("new_case", "AC-000001", True)
    new = case(store, "AC-000001")
    assert (new.channel, new.queue, new.language, new.subject) == ("email", "General", "de",
                                                                  "Rechnung 2026-1187 doppelt abgebucht")
    [customer] = rows(store, Customer)
    assert (customer.email, customer.name) == ("petra.schneider@firma-beispiel.de", "Schneider, Petra")
    first, ack = thread(store, "AC-000001")
    assert first.direction == "in" and "149,90 € wurde zweimal" in first.body and "<p" not in first.body
    assert first.mail_message_id.startswith("<AM0PR04MB6412C1D3")
    assert ack.direction == "out" and not ack.is_internal
    assert "Vorgangsnummer AC-000001" in ack.body and "23. November 2026, 13:00 Uhr (UTC)" in ack.body
    [outbox] = rows(store, MailOutbox)
    assert outbox.message_id == ack.id and outbox.state == "queued"
    assert outbox.recipient == "petra.schneider@firma-beispiel.de"
    assert outbox.subject.endswith("[AC-000001]") and outbox.subject.startswith("Ihre Anfrage ist bei uns")
    assert outbox.in_reply_to == first.mail_message_id
    assert outbox.mail_message_id == ack.mail_message_id and outbox.mail_message_id.endswith("@shop.example>")
    # The acknowledgement is no first response: the SLA clock still runs.
    assert new.first_response_at is None and new.first_response_due is not None


def test_an_english_customer_gets_the_english_acknowledgement(store, clock):
    ingest(store, clock, mail("gmail_multipart.eml"), OPTIONS)
    ack = thread(store, "AC-000001")[1]
    assert ack.body.startswith("Hello Maya Patel,") and "registered your request as case AC-000001" in ack.body


def test_the_same_mail_twice_is_stored_once(store, clock):
    first = ingest(store, clock, mail("gmail_multipart.eml"), OPTIONS)
    again = ingest(store, clock, mail("gmail_multipart.eml"), OPTIONS)
    assert not first.duplicate and again.duplicate and again.case_key == first.case_key
    assert len(rows(store, Case)) == 1 and len(rows(store, Message)) == 2 and len(rows(store, MailOutbox)) == 1
    assert len(rows(store, MailReceipt)) == 1


def test_a_mail_without_message_id_is_recognised_by_its_content(store, clock):
    raw = b"From: x@example.com\r\nSubject: hi\r\n\r\nno id here"
    ingest(store, clock, raw, OPTIONS)
    assert ingest(store, clock, raw, OPTIONS).duplicate
    assert rows(store, MailReceipt)[0].receipt_key.startswith("sha256:")


def test_a_reply_threads_by_its_references_and_counts_as_a_new_contact(store, clock, agents):
    ingest(store, clock, mail("gmail_multipart.eml"), OPTIONS)
    CaseService(store, clock, agents["anna"]).reply("AC-000001", "A replacement is on its way.")
    assert case(store, "AC-000001").next_update_due is None
    clock.advance(hours=2)
    result = ingest(store, clock, mail("reply_in_reply_to.eml"), OPTIONS)
    assert (result.outcome, result.case_key, result.acknowledged) == ("reply", "AC-000001", False)
    followed = case(store, "AC-000001")
    assert followed.contact_count == 2 and followed.last_inbound_at == clock.now()
    assert followed.next_update_due is not None and followed.next_update_due > clock.now()
    assert len(rows(store, Case)) == 1 and len(rows(store, MailOutbox)) == 1  # no acknowledgement for a reply
    assert thread(store, "AC-000001")[-1].mail_message_id == "<CAJfK2x9-second-reply-kQ4@mail.gmail.com>"


def test_a_reply_to_our_acknowledgement_threads_by_in_reply_to(store, clock):
    ingest(store, clock, mail("iso_8859_1.eml"), OPTIONS)
    ack_id = rows(store, MailOutbox)[0].mail_message_id
    raw = (f"From: someone.else@example.org\r\nSubject: no key here\r\nMessage-ID: <r2@example.org>\r\n"
           f"In-Reply-To: {ack_id}\r\n\r\nstill waiting").encode()
    assert ingest(store, clock, raw, OPTIONS).case_key == "AC-000001"


def test_a_reply_with_only_the_key_in_the_subject_lands_on_its_case_and_reopens_it(store, clock, agents):
    ingest(store, clock, mail("german_qp_umlauts.eml"), OPTIONS)
    service = CaseService(store, clock, agents["anna"])
    service.reply("AC-000001", "Ihre Kündigung ist bestätigt.")
    service.resolve("AC-000001")
    result = ingest(store, clock, mail("reply_key_in_subject.eml"), OPTIONS)
    assert (result.outcome, result.case_key) == ("reply", "AC-000001")
    reopened = case(store, "AC-000001")
    assert reopened.is_open and reopened.reopened_count == 1 and reopened.contact_count == 2


def test_an_unknown_key_in_the_subject_starts_a_new_case(store, clock):
    raw = b"From: a@example.com\r\nSubject: Re: [AC-009999] old\r\nMessage-ID: <k@example.com>\r\n\r\nhello"
    assert ingest(store, clock, raw, OPTIONS).outcome == "new_case"


def test_an_out_of_office_reply_is_recorded_on_its_case_without_acknowledgement_or_contact(store, clock):
    ingest(store, clock, mail("outlook_html_only.eml"), OPTIONS)
    result = ingest(store, clock, mail("out_of_office.eml"), OPTIONS)
    assert (result.outcome, result.case_key, result.acknowledged) == ("auto_reply", "AC-000001", False)
    assert case(store, "AC-000001").contact_count == 1
    assert "nicht im Büro" in thread(store, "AC-000001")[-1].body
    assert len(rows(store, MailOutbox)) == 1


def test_an_automatic_reply_on_no_case_starts_one_without_acknowledgement(store, clock):
    raw = b"From: list@example.com\r\nSubject: Newsletter\r\nPrecedence: list\r\n\r\nnews"
    result = ingest(store, clock, raw, OPTIONS)
    assert (result.outcome, result.acknowledged) == ("auto_reply", False)
    assert rows(store, MailOutbox) == []


def test_a_bounce_marks_our_mail_failed_on_its_case_and_starts_no_case(store, clock, agents):
    ingest(store, clock, mail("gmail_multipart.eml"), OPTIONS)
    with store.transaction() as session:
        reply = Message(case_id=case(store, "AC-000001").id, direction="out", channel="email", body="On its way.",
                        created_at=clock.now())
        session.add(reply)
        queue_outgoing_mail(session, message=reply, recipient="maya.patel.88@gmail.com", subject="Re: x",
                            mail_message_id="<ac.reply-0001@shop.example>", in_reply_to=None, references=[],
                            now=clock.now())
    result = ingest(store, clock, mail("dsn_bounce.eml"), OPTIONS)
    assert (result.outcome, result.case_key, result.acknowledged) == ("bounce", "AC-000001", False)
    failed = rows(store, MailOutbox, MailOutbox.mail_message_id == "<ac.reply-0001@shop.example>")[0]
    assert failed.state == "failed" and "5.1.1" in failed.last_error and "does not exist" in failed.last_error
    note = thread(store, "AC-000001")[-1]
    assert note.is_internal and note.body.startswith("Delivery failed: failed 5.1.1 maya.patel.88@gmail.com")
    assert len(rows(store, Case)) == 1 and case(store, "AC-000001").contact_count == 1


def test_a_bounce_for_no_mail_of_ours_is_recorded_but_starts_no_case(store, clock):
    result = ingest(store, clock, mail("dsn_bounce.eml"), OPTIONS)
    assert (result.outcome, result.case_key) == ("bounce", None)
    assert rows(store, Case) == [] and rows(store, MailReceipt)[0].outcome == "bounce"


def test_mail_from_our_own_address_is_refused_and_remembered(store, clock):
    raw = b"From: Support <SUPPORT@shop.example>\r\nSubject: loop\r\nMessage-ID: <own@shop.example>\r\n\r\nx"
    with pytest.raises(MailRefused, match="our own address"):
        ingest(store, clock, raw, OPTIONS)
    with pytest.raises(MailRefused, match="our own address"):
        ingest(store, clock, raw, OPTIONS)
    assert rows(store, Case) == [] and [r.outcome for r in rows(store, MailReceipt)] == ["refused"]


def test_a_sender_over_the_rate_limit_is_refused_until_the_hour_has_passed(store, clock):
    limited = IntakeOptions(mail_from=OPTIONS.mail_from, queue="General", sender_limit_per_hour=3)
    for number in range(3):
        ingest(store, clock, f"From: storm@example.com\r\nSubject: s{number}\r\nMessage-ID: <s{number}@x>\r\n\r\n"
                             f"x".encode(), limited)
    with pytest.raises(MailRefused, match="rate limit"):
        ingest(store, clock, b"From: storm@example.com\r\nSubject: s9\r\nMessage-ID: <s9@x>\r\n\r\nx", limited)
    clock.advance(hours=1, seconds=1)
    assert ingest(store, clock, b"From: storm@example.com\r\nSubject: s10\r\nMessage-ID: <s10@x>\r\n\r\nx",
                  limited).outcome == "new_case"


def test_attachments_are_kept_and_one_over_the_limit_is_listed_without_content(store, clock):
    small = IntakeOptions(mail_from=OPTIONS.mail_from, queue="General", max_attachment_bytes=100)
    ingest(store, clock, mail("attachment.eml"), small)
    [kept] = rows(store, MessageAttachment)
    assert (kept.filename, kept.content_type, kept.size, kept.content) == ("Kassenbon März.pdf", "application/pdf",
                                                                          125, None)
    assert "larger than the limit of 100 bytes" in kept.omitted_reason
    ingest(store, clock, mail("attachment.eml").replace(b"<att-1@", b"<att-2@"), OPTIONS)
    assert rows(store, MessageAttachment)[1].content.startswith(b"%PDF")


def test_an_unusable_queue_is_a_setup_problem_and_stores_nothing(store, clock):
    with pytest.raises(IntakeSetupError, match="Nowhere"):
        ingest(store, clock, mail("gmail_multipart.eml"),
               IntakeOptions(mail_from=OPTIONS.mail_from, queue="Nowhere"))
    assert rows(store, MailReceipt) == [] and rows(store, Case) == []
