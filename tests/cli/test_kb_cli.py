"""``agent-console kb …`` and ``agent-console canned …`` from the shell."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from agent_console.domain.kb import KnowledgeBase


@pytest.fixture
def articles(store, clock):
    kb = KnowledgeBase(store, clock)
    kb.create(slug="rechnung", title="Rechnung korrigieren", body="Die Buchhaltung erstellt eine neue Rechnung.",
              language="de", tags="billing")
    kb.create(slug="refund", title="Refund policy", body="Refunds take five days. [red]literal[/red]",
              language="en", tags="billing,refund")
    kb.create(slug="passwort", title="Passwort vergessen", body="Link per E-Mail.", language="de", tags="konto")


def test_kb_search_json(cli, articles):
    result = cli("kb", "search", "Rechnungen", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] == "exact"
    assert [r["slug"] for r in data["results"]] == ["rechnung"]
    hit = data["results"][0]
    assert hit["snippet"].startswith("Die Buchhaltung")
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["Rechnung"]
    assert hit["language"] == "de" and hit["tags"] == ["billing"] and hit["score"] > 0


def test_kb_search_filters_limit_and_typos(cli, articles):
    assert json.loads(cli("kb", "search", "billing", "--json").stdout)["results"][0]["slug"] in ("rechnung", "refund")
    data = json.loads(cli("kb", "search", "billing", "--lang", "en", "--json").stdout)
    assert [r["slug"] for r in data["results"]] == ["refund"]
    data = json.loads(cli("kb", "search", "Rechnung", "--tag", "konto", "--json").stdout)
    assert data["results"] == []
    data = json.loads(cli("kb", "search", "Pasword", "--json").stdout)
    assert data["mode"] == "typo" and data["results"][0]["slug"] == "passwort"
    data = json.loads(cli("kb", "search", "e", "--limit", "1", "--json").stdout)
    assert len(data["results"]) <= 1


@pytest.mark.parametrize("query", ['"', "NEAR(", "AND", "*", "(", "-", "title:x", "", "   "])
def test_kb_search_hostile_queries(cli, articles, query):
    result = cli("kb", "search", query, "--json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)


def test_kb_search_human_output_is_literal(cli, articles):
    result = cli("kb", "search", "refund", "--lang", "en")
    assert result.exit_code == 0
    assert "[red]literal[/red]" in result.stdout


def test_kb_search_rejects_unknown_language(cli, articles):
    result = cli("kb", "search", "x", "--lang", "fr")
    assert result.exit_code == 1
    assert "unknown language 'fr'" in result.stderr


def test_kb_show_and_reindex(cli, store, articles):
    shown = json.loads(cli("kb", "show", "refund", "--json").stdout)
    assert shown["title"] == "Refund policy" and shown["tags"] == ["billing", "refund"]
    assert cli("kb", "show", "nope").exit_code == 1
    with store.transaction() as session:
        session.execute(text("DELETE FROM kb_fts"))
    assert json.loads(cli("kb", "search", "refund", "--json").stdout)["results"] == []
    result = cli("kb", "reindex")
    assert result.exit_code == 0 and "reindexed 3 articles" in result.stdout
    assert json.loads(cli("kb", "search", "refund", "--json").stdout)["results"][0]["slug"] == "refund"


def test_kb_add_and_delete(cli, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("# Öffnungszeiten\n\nMontag bis Freitag 8–18 Uhr.", encoding="utf-8")
    result = cli("kb", "add", "--title", "Öffnungszeiten", "--body-file", str(body), "--lang", "de", "--tags",
                 "filiale")
    assert result.exit_code == 0, result.output
    assert json.loads(cli("kb", "search", "Oeffnungszeit", "--json").stdout)["results"][0]["slug"] == \
        "oeffnungszeiten"
    assert cli("kb", "delete", "oeffnungszeiten").exit_code == 0
    assert json.loads(cli("kb", "search", "Oeffnungszeit", "--json").stdout)["results"] == []


def test_canned_commands(cli, agents):
    result = cli("canned", "add", "refund", "--title", "Refund", "--body", "Hi {{ customer.first_name }}!",
                 "--category", "billing", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert cli("canned", "add", "refund", "--title", "x", "--body", "y").exit_code == 1
    listed = json.loads(cli("canned", "list", "--json").stdout)
    assert listed == [{"shortcut": "refund", "title": "Refund", "category": "billing", "language": "en",
                       "body": "Hi {{ customer.first_name }}!", "usage_count": 0}]
    assert cli("canned", "edit", ";refund", "--title", "Refund on its way").exit_code == 0
    shown = json.loads(cli("canned", "show", "refund", "--json").stdout)
    assert shown["title"] == "Refund on its way"
    bad = cli("canned", "add", "bad shortcut", "--title", "x", "--body", "y")
    assert bad.exit_code == 1 and "invalid shortcut" in bad.stderr
    assert cli("canned", "delete", "refund").exit_code == 0
    assert json.loads(cli("canned", "list", "--json").stdout) == []


def test_canned_show_renders_for_a_case(cli, store, clock, agents):
    from agent_console.domain.cases import CaseService

    case = CaseService(store, clock, agents["anna"]).create_case(
        customer="max@example.org", customer_name="Max Muster", channel="email", queue="q", subject="s", body="b")
    refused = cli("canned", "add", "hi", "--title", "Hi", "--body", "Hallo {{ customer.first_name }} {{ nope }}")
    assert refused.exit_code != 0 and "nope" in refused.output
    cli("canned", "add", "hi", "--title", "Hi", "--body", "Hallo {{ customer.first_name }}")
    # A template saved before templates were checked at save time: show still marks what it cannot fill.
    with store.transaction() as session:
        session.execute(text("UPDATE canned_responses SET body = :body WHERE shortcut = 'hi'"),
                        {"body": "Hallo {{ customer.first_name }} {{ nope }}"})
    shown = json.loads(cli("--agent", "anna", "canned", "show", "hi", "--case", case.key, "--json").stdout)
    assert shown["rendered"] == "Hallo Max ⟦unknown: nope⟧"
    assert shown["problems"] == ["unknown placeholder: nope"]
