"""Composing a reply mail and reading the SMTP settings: pure rules, no network."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest

from agent_console.config import Settings, SettingsError
from agent_console.domain.mail_retry import MAX_ATTEMPTS, gives_up, retry_delay
from agent_console.mail.compose import MailComposeError, OutgoingMail, compose_reply
from agent_console.mail.smtp import SmtpConfigError, smtp_target

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def mail(**changes) -> OutgoingMail:
    values = dict(mail_from="Support <support@example.com>", recipient="Karl Kunde <karl@example.de>",
                  subject="Re: Rechnung [AC-000001]", message_id="<ac.1@example.com>",
                  in_reply_to="<a@mail.example.de>", references=("<a@mail.example.de>", "<ac.0@example.com>"),
                  body="Hallo Herr Kunde,\n\nerledigt.\n")
    values.update(changes)
    return OutgoingMail(**values)


def test_the_reply_carries_its_threading_headers_and_both_parts():
    parsed = message_from_bytes(compose_reply(mail(), AT).as_bytes(), policy=policy.default)
    assert parsed["References"] == "<a@mail.example.de> <ac.0@example.com>"
    assert parsed["In-Reply-To"] == "<a@mail.example.de>" and parsed["Message-ID"] == "<ac.1@example.com>"
    assert parsed["Date"] == "Mon, 23 Nov 2026 09:00:00 +0000"
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Hallo Herr Kunde,\n\nerledigt.\n"
    html = parsed.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert "<p>Hallo Herr Kunde,</p>\n<p>erledigt.</p>" in html


@pytest.mark.parametrize("field,value", [
    ("subject", "Hallo\r\nBcc: victim@example.org"),
    ("recipient", "karl@example.de\nBcc: victim@example.org"),
    ("recipient", "not an address"),
    ("in_reply_to", "<a@b>\r\nX-Evil: 1"),
    ("message_id", "no-angle-brackets"),
])
def test_a_line_break_or_a_bad_value_in_a_header_is_refused(field, value):
    with pytest.raises(MailComposeError):
        compose_reply(mail(**{field: value}), AT)


def test_smtp_urls_and_their_password_sources(tmp_path):
    plain = smtp_target("smtp://mail.example.com")
    assert (plain.host, plain.port, plain.implicit_tls, plain.starttls_required, plain.user) == (
        "mail.example.com", 25, False, False, None)
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    tls = smtp_target("smtps://support@mail.example.com", password_file=str(secret), environ={})
    assert (tls.port, tls.implicit_tls, tls.user, tls.password) == (465, True, "support", "s3cret")
    assert smtp_target("smtps://support@mail.example.com", password_file=str(secret),
                       environ={"AGENT_CONSOLE_SMTP_PASSWORD": "from-env"}).password == "from-env"
    required = smtp_target("smtp://u@h:587?starttls=required", environ={"AGENT_CONSOLE_SMTP_PASSWORD": "pw"})
    assert (required.port, required.starttls_required, required.password) == (587, True, "pw")
    with pytest.raises(SmtpConfigError, match="no password"):
        smtp_target("smtp://support@mail.example.com", environ={})
    with pytest.raises(SmtpConfigError, match="not set"):
        smtp_target("")


def test_the_settings_refuse_a_bad_smtp_url_naming_where_it_came_from():
    assert Settings.from_mapping({"smtp_url": "smtp://mail.example.com"}, "config.toml").smtp_url
    for bad in ("http://mail.example.com", "smtp://", "smtp://user:pw@mail.example.com"):
        with pytest.raises(SettingsError, match="config.toml: smtp_url"):
            Settings.from_mapping({"smtp_url": bad}, "config.toml")


def test_the_back_off_doubles_from_30_seconds_up_to_an_hour_and_gives_up_after_two_days():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert retry_delay(40) == timedelta(hours=1)
    assert not gives_up(MAX_ATTEMPTS - 1) and gives_up(MAX_ATTEMPTS)
    assert sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta()) > timedelta(days=2)
