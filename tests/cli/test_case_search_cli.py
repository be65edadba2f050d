"""``agent-console case search "QUERY" [--limit N] [--json]``."""

from __future__ import annotations

import json

import pytest

from agent_console.domain.cases import CaseService


@pytest.fixture
def cases(store, clock, agents):
    anna = CaseService(store, clock, agents["anna"])
    boiler = anna.create_case(customer="k.mueller@example.de", customer_name="Kerstin Müller",
                              customer_phone="030 1234567", channel="phone", queue="Technik", subject="Heizung kalt",
                              body="Die Therme zeigt Störung F28.", language="de")
    hostile = anna.create_case(customer="mallory@example.com", customer_name="[bold]Mallory[/bold]", channel="chat",
                               queue="Billing", subject="[red]refund[/red] \x1b[2J", language="en",
                               body="Please refund me \x1b]0;owned\x07 today.")
    return boiler.key, hostile.key


def test_json_has_the_case_its_state_and_the_snippet(cli, cases):
    boiler, _ = cases
    result = cli("case", "search", "Stoerung Mueller", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (hit,) = data["results"]
    assert (hit["key"], hit["status"], hit["queue"], hit["channel"], hit["customer"]) == (
        boiler, "new", "Technik", "phone", "Kerstin Müller")
    assert hit["sla_state"] in ("ok", "at_risk", "breached") and hit["matched_in"] == "message"
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["Störung"]
    assert [r["key"] for r in json.loads(cli("case", "search", "+49 (30) 123-4567", "--json").stdout)["results"]] \
        == [boiler]


def test_limit_filters_and_a_bad_date(cli, cases):
    assert len(json.loads(cli("case", "search", "refund OR Heizung", "--json", "--limit", "1").stdout)["results"]) <= 1
    assert json.loads(cli("case", "search", "queue:billing Heizung", "--json").stdout)["results"] == []
    result = cli("case", "search", "after:tomorrow Heizung")
    assert result.exit_code == 1 and "after" in result.output and "Traceback" not in result.output


def test_human_output_is_literal(cli, cases):
    _, hostile = cases
    result = cli("case", "search", "refund")
    assert result.exit_code == 0, result.output
    assert hostile in result.stdout and "[red]refund[/red]" in result.stdout and "[bold]Mallory[/bold]" in \
        result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "No case matches" in cli("case", "search", "zzzqqqxxx").stdout
