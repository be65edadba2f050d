"""The e-mail channel's shared rows and header rules: an outgoing mail is queued with its message in one transaction,
its Message-ID is kept on the message, and a reply's In-Reply-To/References find that message again."""

from sqlmodel import select

from agent_console.domain.cases import CaseService
from agent_console.domain.mail_headers import case_key_in_subject, new_message_id, subject_for_case
from agent_console.store import mail_records, queries
from agent_console.store.models import MailOutbox, Message


def _email_case(store, clock, agent):
    return CaseService(store, clock, agent).create_case(
        customer="kunde@example.de", channel="email", queue="Billing", subject="Rechnung", body="Hallo").key


def test_a_queued_mail_commits_with_its_message_or_not_at_all(store, agents, clock):
    key = _email_case(store, clock, agents["anna"])
    with store.session() as session:
        case = queries.case_by_key(session, key)
        message = Message(case_id=case.id, direction="out", channel="email", body="Antwort", created_at=clock.now())
        mail_records.queue_outgoing_mail(session, message=message, recipient="kunde@example.de",
                                         subject=subject_for_case(key, "Rechnung"), mail_message_id="<ac.1@x.example>",
                                         in_reply_to=None, references=[], now=clock.now())
        session.rollback()
    with store.session() as session:
        assert session.exec(select(MailOutbox)).all() == []
        assert mail_records.message_by_mail_id(session, ["<ac.1@x.example>"]) is None

    with store.session() as session:
        case = queries.case_by_key(session, key)
        first = Message(case_id=case.id, direction="out", channel="email", body="Eins", created_at=clock.now())
        mail_records.queue_outgoing_mail(session, message=first, recipient="kunde@example.de", subject="s",
                                         mail_message_id="<ac.1@x.example>", in_reply_to=None, references=[],
                                         now=clock.now())
        clock.advance(60)
        second = Message(case_id=case.id, direction="out", channel="email", body="Zwei", created_at=clock.now())
        row = mail_records.queue_outgoing_mail(
            session, message=second, recipient="kunde@example.de", subject="s", mail_message_id="<ac.2@x.example>",
            in_reply_to="<ac.1@x.example>", references=mail_records.case_mail_ids(session, case.id), now=clock.now())
        session.commit()
        assert row.state == "queued" and row.references == "<ac.1@x.example>"
    with store.session() as session:
        case = queries.case_by_key(session, key)
        assert mail_records.case_mail_ids(session, case.id) == ["<ac.1@x.example>", "<ac.2@x.example>"]
        found = mail_records.message_by_mail_id(session, ["<unknown@x>", "<ac.2@x.example>"])
        assert found.body == "Zwei"
        assert mail_records.outbox_row_of_message(session, found.id).mail_message_id == "<ac.2@x.example>"


def test_message_ids_subjects_and_keys():
    assert new_message_id("Support <help@shop.example>", "u-1") == "<ac.u-1@shop.example>"
    assert new_message_id("help@shop.example", "u/1>") == "<ac.u1@shop.example>"
    assert new_message_id("", "u") == "<ac.u@agent-console.invalid>"
    assert case_key_in_subject("AW: Rechnung [AC-000123]") == "AC-000123"
    assert case_key_in_subject("[AC-000001] and [AC-000002]") == "AC-000002"
    assert case_key_in_subject("AC-000123 without brackets") is None
    assert subject_for_case("AC-000007", "Re: Rechnung [AC-000007]") == "Re: Rechnung [AC-000007]"
    assert subject_for_case("AC-000007", "Hallo\r\nBcc: all@example.com") == "Hallo Bcc: all@example.com [AC-000007]"
    assert subject_for_case("AC-000007", "") == "[AC-000007]"
