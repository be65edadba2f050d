"""``agent-console case merge|link|unlink|split|duplicates`` and what ``case show`` says of them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from agent_console.domain.clock import FrozenClock, SystemClock
from agent_console.domain.cases import CaseService


@pytest.fixture
def cases(store, agents):
    # The commands read the real clock: the cases are from the last hours, as the duplicates' window wants.
    clock = FrozenClock(SystemClock().now() - timedelta(hours=4))
    anna = CaseService(store, clock, agents["anna"])
    mail = anna.create_case(customer="k.mueller@example.de", customer_name="Kerstin Müller",
                            customer_phone="030 1234567", channel="email", queue="Technik",
                            subject="Heizung kalt", body="Die Therme zeigt F28.")
    clock.advance(hours=3)
    call = anna.create_case(customer="030 1234567", channel="phone", queue="Technik", subject="Anruf",
                            body="Ruft wegen der Mail an.")
    stranger = anna.create_case(customer="[red]x[/red]@example.com", channel="chat", queue="Technik",
                                subject="[bold]Fremd[/bold]", body="anderes")
    return mail.key, call.key, stranger.key


def test_merge_and_show_where_it_went(cli, cases):
    mail, call, _stranger = cases
    assert call in cli("case", "show", mail).stdout  # the possible duplicate
    result = cli("--agent", "anna", "case", "merge", call, "--into", mail)
    assert result.exit_code == 0, result.output
    assert f"{call} merged into {mail}" in result.stdout
    shown = cli("case", "show", call).stdout
    assert f"merged into {mail}" in shown
    assert "Ruft wegen der Mail an." in cli("case", "show", mail).stdout


def test_refusals_are_one_line_and_exit_1(cli, cases):
    mail, _call, stranger = cases
    for args, words in ((("case", "merge", mail, "--into", mail), "itself"),
                        (("case", "merge", stranger, "--into", mail), "--across-customers"),
                        (("case", "merge", "AC-999999", "--into", mail), "AC-999999"),
                        (("case", "split", mail, "--message", "7"), "no message 7"),
                        (("case", "link", mail, stranger, "--kind", "cousin"), "unknown link kind"),
                        (("case", "unlink", mail, stranger), "not linked")):
        result = cli("--agent", "anna", *args)
        assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output, args
    assert cli("--agent", "anna", "case", "merge", stranger, "--into", mail, "--across-customers").exit_code == 0


def test_link_shows_in_both_headers_literally(cli, cases):
    mail, _call, stranger = cases
    result = cli("--agent", "anna", "case", "link", mail, stranger, "--kind", "duplicate")
    assert result.exit_code == 0, result.output
    assert f"linked: duplicate {stranger} [bold]Fremd[/bold]" in cli("case", "show", mail).stdout
    assert f"linked: duplicate {mail} Heizung kalt" in cli("case", "show", stranger).stdout
    assert cli("--agent", "anna", "case", "unlink", stranger, mail).exit_code == 0
    assert "linked:" not in cli("case", "show", mail).stdout


def test_split_and_duplicates(cli, cases):
    mail, call, _stranger = cases
    assert [d["key"] for d in json.loads(cli("case", "duplicates", call, "--json").stdout)] == [mail]
    assert cli("--agent", "anna", "case", "reply", mail, "Wir kümmern uns.").exit_code == 0
    result = cli("--agent", "anna", "case", "split", mail, "--message", "2")
    assert result.exit_code == 0, result.output
    new_key = result.stdout.split()[0]
    assert "Wir kümmern uns." in cli("case", "show", new_key).stdout
    assert "Wir kümmern uns." not in cli("case", "show", mail).stdout
