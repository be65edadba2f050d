"""The words the agent's screens show for stored values, in each language: stored values stay English identifiers,
a table column holds its German title and labels whole at every width, ages and sync states read in German."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from agent_console import formatting, i18n
from agent_console.store.models import CaseStatus, Channel, Priority
from agent_console.widgets.case_columns import column_title, layout_columns
from agent_console.widgets.header_bar import sync_label
from agent_console.widgets.labels import channel_label, priority_label, short_label, status_label


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def test_english_shows_the_stored_values_as_they_are():
    assert [status_label(s) for s in CaseStatus] == [s.value for s in CaseStatus]
    assert [short_label("channel", c) for c in Channel] == [c.value for c in Channel]
    assert priority_label("urgent") == "urgent"
    assert formatting.age(42) == "42s" and formatting.age(720) == "12m" and formatting.age(7500) == "2h05m"
    assert sync_label("offline", 3) == "offline · 3 pending" and sync_label("local only") == "local only"


def test_german_labels_and_their_short_column_forms():
    i18n.set_language("de")
    assert status_label("pending") == "wartend auf Kunde"
    assert short_label("status", "pending") == "wartend"  # a column has no room for the whole phrase
    assert short_label("status", "closed") == "geschlossen"
    assert channel_label("phone") == "Telefon" and channel_label("onsite") == "vor Ort"
    assert priority_label(Priority.urgent) == "dringend"
    assert status_label("archived") == "archived"  # a value this console does not know is shown as stored
    assert formatting.age(42) == "42\u00a0s" and formatting.age(720) == "12\u00a0min"
    assert formatting.age(7500) == "2h05"
    assert sync_label("offline", 3) == "offline · 3 ausstehend" and sync_label("logged_out") == "neu anmelden"


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("width", [60, 80, 120, 160])
def test_every_shown_column_holds_its_title_and_labels_whole(language, width):
    i18n.set_language(language)
    words = {"status": CaseStatus, "priority": Priority, "channel": Channel}
    for column, column_width in layout_columns(width):
        assert cell_len(column_title(column)) <= column_width, (language, width, column.name)
        for value in words.get(column.name, ()):
            assert cell_len(short_label(column.name, value)) <= column_width, (language, width, value)


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("sort", ["assignee", "tier", "priority", "status", "sla"])
def test_the_sorted_column_holds_its_title_and_the_sort_mark(language, sort):
    i18n.set_language(language)
    for column, column_width in layout_columns(160, sort=sort):
        if column.name == sort:
            assert cell_len(column_title(column) + " ▲") <= column_width, (language, sort, column_width)


def test_the_german_columns_at_80_keep_the_subject_its_third():
    i18n.set_language("de")
    shown = {column.name: width for column, width in layout_columns(80)}
    assert {"key", "priority", "subject", "sla"} <= shown.keys()
    assert shown["subject"] >= 27


def test_the_sync_notices_the_store_problems_and_sync_status_speak_german():
    import sqlite3

    from agent_console.store.errors import status_label as store_problem
    from agent_console.sync.state import Notice, SyncStatus

    refused = Notice(1, "op", "case.claim", "rejected", "AC-000007 wird von einem anderen Agenten bearbeitet",
                     "uid", "AC-000007", None)
    draft = Notice(2, "op", "message.add", "conflict", "abgelehnt", "uid", None, None, draft_saved=True)
    read_only = sqlite3.OperationalError("attempt to write a readonly database")
    assert refused.text() == "Claim on AC-000007 was refused: AC-000007 wird von einem anderen Agenten bearbeitet."
    assert SyncStatus("offline", 2).label() == "offline · 2 pending"
    assert i18n._(store_problem(read_only)) == "store read-only"
    i18n.set_language("de")
    assert refused.text() == ("Die Übernahme zu AC-000007 wurde abgelehnt: AC-000007 wird von einem anderen Agenten "
                              "bearbeitet.")
    assert draft.text() == "Die Nachricht stand im Konflikt: abgelehnt. Ihr Text ist wieder im Entwurf."
    assert SyncStatus("offline", 2).label() == "offline · 2 ausstehend"
    assert SyncStatus("logged_out").label() == "neu anmelden"
    assert i18n._(store_problem(read_only)) == "Datenspeicher schreibgeschützt"
