"""A reply's ``{survey_link}`` becomes a new one-time survey link as the mail gateway sends it (never in any stored
text): for a resolved case, with ``survey_base_url`` set; otherwise it is left out."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from agent_console.domain import surveys
from agent_console.store.models import Message, SurveyToken
from tests.cli.test_mail_send import email_case, outbox
from tests.cli.test_mail_send import mail_env, sink  # noqa: F401  (fixtures)

BASE_URL = "https://support.example.com"
REPLY = "Ihr Anliegen ist erledigt.\n\nWie war es? {survey_link}\n\nGrüße, Anna"


def sent_text(sink) -> str:
    [mail] = sink.messages()
    return mail.get_body(("plain",)).get_content()


def test_a_resolved_cases_reply_carries_a_working_survey_link(cli, store, clock, agents, sink, mail_env,
                                                              monkeypatch):
    monkeypatch.setenv("AGENT_CONSOLE_SURVEY_BASE_URL", BASE_URL + "/")
    key = email_case(store, clock, agents["anna"])
    assert cli("--agent", "anna", "case", "reply", key, REPLY).exit_code == 0
    assert cli("--agent", "anna", "case", "resolve", key).exit_code == 0
    result = cli("mail", "send")
    assert result.exit_code == 0, result.output
    text = sent_text(sink)
    found = re.search(re.escape(BASE_URL) + r"/survey/([A-Za-z0-9_-]+)", text)
    assert found and "{survey_link}" not in text
    token = found.group(1)
    with store.session() as session:
        assert surveys.open_survey(session, token, clock.now()) is not None
        hashes = [row.token_hash for row in session.exec(select(SurveyToken))]
        bodies = [m.body for m in session.exec(select(Message))]
    assert hashes == [surveys.token_hash(token)]
    assert all(token not in body for body in bodies) and any("{survey_link}" in body for body in bodies)
    [row] = outbox(store)
    assert row.state == "sent"


@pytest.mark.parametrize("resolved, base_url", [(False, BASE_URL), (True, "")])
def test_the_placeholder_is_left_out_without_a_resolved_case_or_an_address(cli, store, clock, agents, sink, mail_env,
                                                                           monkeypatch, resolved, base_url):
    monkeypatch.setenv("AGENT_CONSOLE_SURVEY_BASE_URL", base_url)
    key = email_case(store, clock, agents["anna"])
    assert cli("--agent", "anna", "case", "reply", key, REPLY).exit_code == 0
    if resolved:
        assert cli("--agent", "anna", "case", "resolve", key).exit_code == 0
    assert cli("mail", "send").exit_code == 0
    text = sent_text(sink)
    assert "Wie war es? \n" in text.replace("\r\n", "\n") and "/survey/" not in text and "{survey_link}" not in text
    with store.session() as session:
        assert list(session.exec(select(SurveyToken))) == []


def test_survey_link_on_a_console_that_works_alone_and_refused_on_a_synced_one(cli, store, clock, agents,
                                                                               monkeypatch):
    from agent_console.store.models import SyncState

    monkeypatch.setenv("AGENT_CONSOLE_SURVEY_BASE_URL", BASE_URL)
    key = email_case(store, clock, agents["anna"])
    assert cli("--agent", "anna", "case", "resolve", key).exit_code == 0
    made = cli("--agent", "sue", "case", "survey-link", key)
    assert made.exit_code == 0, made.output
    token = made.output.strip().removeprefix(BASE_URL + "/survey/")
    with store.session() as session:
        assert surveys.open_survey(session, token, clock.now()).case_key == key
    with store.transaction() as session:
        session.add(SyncState(key="cursor", value="17"))
    refused = cli("--agent", "sue", "case", "survey-link", key)
    assert refused.exit_code == 1 and "syncs with a team server" in refused.output
    assert "Traceback" not in refused.output
    with store.session() as session:
        assert len(list(session.exec(select(SurveyToken)))) == 1
