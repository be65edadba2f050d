"""``agent-console report selfservice`` and the monitor's self-service figures over a real store: "yes" answers,
deflection (visits that ended in "yes" against contact forms sent), searches without results."""

from __future__ import annotations

import csv
import io
import json

import pytest

from agent_console.domain import help_center, help_contact, selfservice
from agent_console.i18n import language_scope
from agent_console.store.models import KBArticle

DAY = ["--since", "2026-11-23", "--until", "2026-11-23"]


@pytest.fixture
def help_day(store, clock):
    """On 2026-11-23: visits v1 and v2 say "yes" (v2 also sends a form), v3 says "no" and sends a form; searches
    "kündigung" (twice, no hit, two visits), "Rücksendung" (hits) and "  Garantie  Fall " (no hit)."""
    with store.transaction() as session:
        article = KBArticle(slug="ruecksendung", title="Rücksendung", language="de", public=True, queue="Delivery",
                            body="So geht es.")
        session.add(article)
        session.flush()
        for visit, solved in (("v1" * 8, True), ("v2" * 8, True), ("v3" * 8, False)):
            help_center.record_answer(session, clock.now(), article, solved=solved, language="de", visit=visit)
        for visit, email in (("v2" * 8, "zoe@example.com"), ("v3" * 8, "max@example.com")):
            form = help_contact.check_form({"name": "Kunde", "email": email, "subject": "Frage",
                                            "message": "Hallo"})
            help_contact.send(session, clock, form, ["ruecksendung"], visit=visit, language="de",
                              default_queue="General")
        for query, hits, visit in (("Kündigung", 0, "v1" * 8), ("kündigung ", 0, "v3" * 8), ("Rücksendung", 1, ""),
                                   ("  Garantie  Fall ", 0, "v1" * 8)):
            selfservice.record_search(session, clock.now(), query, hits, language="de", visit=visit)
    return store


def test_the_report_counts_answers_deflection_and_searches_without_results(cli, help_day):
    data = json.loads(cli("report", "selfservice", *DAY, "--format", "json").output)
    assert (data["resolutions"], data["not_solved"], data["solved_visits"], data["contact_forms"]) == (2, 1, 1, 2)
    assert data["deflection"] == pytest.approx(1 / 3)
    assert (data["searches"], data["searches_without_results"]) == (4, 3)
    assert data["top_searches_without_results"] == [{"query": "kündigung", "searches": 2, "visits": 2},
                                                    {"query": "garantie fall", "searches": 1, "visits": 1}]

    table = cli("report", "selfservice", *DAY)
    assert table.exit_code == 0, table.output
    assert "Self-service, 2026-11-23 to 2026-11-23" in table.output
    assert "33%" in table.output and "kündigung" in table.output

    rows = list(csv.reader(io.StringIO(cli("report", "selfservice", *DAY, "--format", "csv").output)))
    assert rows[0] == ["figure", "query", "value", "visits"]
    assert ["resolutions", "", "2", ""] in rows and ["search_without_results", "kündigung", "2", "2"] in rows


def test_another_period_has_none_and_german_reads_german(cli, help_day):
    data = json.loads(cli("report", "selfservice", "--since", "2026-11-24", "--until", "2026-11-30",
                          "--format", "json").output)
    assert (data["resolutions"], data["contact_forms"], data["deflection"]) == (0, 0, None)
    with language_scope("de"):
        german = cli("report", "selfservice", *DAY)
    assert german.exit_code == 0, german.output
    assert "Selbsthilfe" in german.output and "Entlastungsquote" in german.output and "33\u00a0%" in german.output


def test_a_bad_period_is_refused_in_one_line(cli, help_day):
    result = cli("report", "selfservice", "--since", "2026-11-30", "--until", "2026-11-01")
    assert result.exit_code != 0 and "is after --until" in result.output


def test_the_contact_form_goes_to_the_queue_of_the_articles_read_and_keeps_them(store, clock):
    from agent_console.domain.help_articles import help_articles_of
    from agent_console.store import queries

    with store.transaction() as session:
        session.add_all([KBArticle(slug=slug, title=slug.title(), language="en", public=public, queue=queue,
                                   body="text")
                         for slug, queue, public in (("a", "Delivery", True), ("b", "Billing", True),
                                                     ("c", "Billing", True), ("secret", "Technical", False),
                                                     ("d", "No such queue", True))])
    form = help_contact.check_form({"name": "Kim", "email": "Kim@Example.com", "subject": "Hi", "message": "?"})
    with store.transaction() as session:
        result = help_contact.send(session, clock, form, ["a", "b", "secret", "c", "d"], visit="", language="en",
                                   default_queue="General")
        case = queries.case_by_key(session, result.case_key)
        assert (case.channel, case.queue) == ("web", "Billing")
        assert help_articles_of(case) == [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
    with store.transaction() as session:
        tie = help_contact.send(session, clock, form, ["b", "a"], visit="", language="en", default_queue="General")
        assert tie.queue == "Delivery"  # one each: the article read last decides


def test_the_monitor_shows_todays_self_service_once_the_help_center_was_used(store, clock, help_day):
    from agent_console.domain.monitor import compute_snapshot
    from datetime import timezone

    snapshot = compute_snapshot(store, clock, tz=timezone.utc)
    assert (snapshot.self_service_resolutions, snapshot.solved_visits, snapshot.contact_forms) == (2, 1, 2)
    assert snapshot.deflection == pytest.approx(1 / 3)


def test_deleting_an_answered_article_keeps_its_answers_in_the_figures(cli, help_day):
    deleted = cli("kb", "delete", "ruecksendung")
    assert deleted.exit_code == 0, deleted.output
    data = json.loads(cli("report", "selfservice", *DAY, "--format", "json").output)
    assert (data["resolutions"], data["not_solved"], data["solved_visits"]) == (2, 1, 1)
    with help_day.session() as session:
        assert session.query(KBArticle).count() == 0
