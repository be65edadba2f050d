"""The help center's searches are written in groups (server/help_searches.py), yet every one is counted: the
self-service report writes the waiting ones first, and a server that stops writes what is left."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.helpers import wait_until
from tests.server.conftest import migrate_database
from tests.server.help_site import start_help_site


def searches_in(db_url: str) -> list[tuple[str, int, str, str]]:
    from agent_console.server.db import open_server_store
    from agent_console.store.models import HelpSearch

    store = open_server_store(db_url)
    try:
        with store.session() as session:
            return [(row.query, row.hits, row.language, row.visit)
                    for row in session.scalars(select(HelpSearch).order_by(HelpSearch.id))]
    finally:
        store.dispose()


def test_searches_wait_for_their_group_and_are_written_together(tmp_path, clock):
    from agent_console.server.db import open_server_store
    from agent_console.server.help_searches import SearchRecorder

    url = f"sqlite:///{tmp_path / 'server.db'}"
    migrate_database(url)
    store = open_server_store(url)
    recorder = SearchRecorder(store, clock, every_seconds=3600, most=3)
    recorder.start()
    try:
        recorder.record("  Garantie   VERLÄNGERN ", 0, "de", "visit-one-aaaaaaaaaa")
        recorder.record("returns", 2, "en", None)
        assert searches_in(url) == []  # neither the hour nor the group of three is full
        recorder.record("   ", 0, "en", None)  # nothing to count, but it completes the group
        wait_until(lambda: len(searches_in(url)) == 2)
        assert searches_in(url) == [("garantie verlängern", 0, "de", "visit-one-aaaaaaaaaa"),
                                    ("returns", 2, "en", "")]
        recorder.record("invoice", 1, "en", None)
        assert recorder.flush() == 1
        assert searches_in(url)[-1] == ("invoice", 1, "en", "")
        recorder.record("delivery", 1, "en", None)
    finally:
        recorder.stop()  # writes what is waiting
        store.dispose()
    assert [row[0] for row in searches_in(url)] == ["garantie verlängern", "returns", "invoice", "delivery"]


def test_the_report_counts_searches_still_waiting_and_a_stopping_server_writes_them(tmp_path):
    # Groups only every hour: a search is written by the report's flush or the shutdown, never by the timer.
    server = start_help_site(tmp_path, env_extra={"AGENT_CONSOLE_HELP_SEARCH_SECONDS": "3600"})
    try:
        with httpx.Client(base_url=server.base_url, headers={"Accept-Language": "en"}, timeout=30) as client:
            for query in ("warranty extension", "Warranty  extension", "returning"):
                assert client.get("/help", params={"q": query}).status_code == 200
            figures = client.get("/api/v1/reports/selfservice",
                                 headers={"Authorization": f"Bearer {server.token('sue')}"}).json()
            assert (figures["searches"], figures["searches_without_results"]) == (3, 2)
            assert figures["top_searches_without_results"] == [
                {"query": "warranty extension", "searches": 2, "visits": 1}]
            assert client.get("/help", params={"q": "gift card"}).status_code == 200
            assert client.get("/help", params={"q": "returning"}).status_code == 200
    finally:
        server.stop()
    assert [query for query, *_ in searches_in(server.db_url)] == [
        "warranty extension", "warranty extension", "returning", "gift card", "returning"]
