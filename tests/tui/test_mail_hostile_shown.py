"""Hostile mail (#19 point 9) as the agent sees it: Rich markup in a mail's subject, the sender's name and the body
shows literally on the case screen and in ``case show``, and no escape sequence from it reaches the terminal."""

from __future__ import annotations

from agent_console.domain.mail_intake import IntakeOptions, ingest
from agent_console.store import queries
from tui_support import screen_text, settle

OPTIONS = IntakeOptions(mail_from="support@shop.example", queue="General")
HOSTILE = ("From: \"[bold red]Evil[/] \x1b[2J\" <evil@example.com>\r\n"
           "Subject: [link=file:///etc/passwd]click[/link] \x1b]0;owned\x07\r\n"
           "Message-ID: <hostile-shown@example.com>\r\n\r\n"
           "[blink]hello[/blink] \x1b[31mred\x1b[0m\r\n").encode()


async def test_markup_in_a_mail_shows_literally_on_the_case_screen(make_app, store, clock):
    from agent_console.screens.case_detail import CaseDetailScreen

    key = ingest(store, clock, HOSTILE, OPTIONS).case_key
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with store.session() as session:
            case_id = queries.case_by_key(session, key).id
        await app.push_screen(CaseDetailScreen(case_id))
        await settle(pilot)
        text = screen_text(app)
    assert "[link=file:///etc/passwd]click[/link]" in text
    assert "[bold red]Evil[/]" in text
    assert "[blink]hello[/blink]" in text
    assert "\x1b" not in text and "\x07" not in text


def test_markup_in_a_mail_shows_literally_in_case_show(cli, store, clock):
    key = ingest(store, clock, HOSTILE, OPTIONS).case_key
    result = cli("case", "show", key)
    assert result.exit_code == 0, result.output
    assert "[link=file:///etc/passwd]click[/link]" in result.output
    assert "[bold red]Evil[/]" in result.output
    assert "[blink]hello[/blink]" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
