"""The synced console searches its local replica: what a first sync (in bulk, the case index built once) and a
later page-by-page pull (the triggers) bring is found without asking the server, exactly as indexed by either path."""

from __future__ import annotations

import sqlite3

from agent_console.store.search import search_case_index


def case_index(path) -> list:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute(
            "SELECT coalesce(m.uid, c.uid), f.subject, f.body, f.people, f.ids FROM case_fts f "
            "LEFT JOIN messages m ON m.id = f.rowid LEFT JOIN cases c ON c.id = -f.rowid"))


def found_subjects(console, query: str) -> list[str]:
    with console.store.session() as session:
        result = search_case_index(session, query)
        ids = [match.case_id for match in result.matches]
        subjects = dict(session.connection().exec_driver_sql("SELECT id, subject FROM cases").all())
    return [subjects[i] for i in ids]


def test_a_pulled_replica_finds_the_teams_cases(team):
    sue = team.console("sue")
    service = sue.cases()
    case = service.create_case(customer="+49 221 5550123", customer_name="Jörg Weiß", channel="phone",
                               queue="General", subject="Waschmaschine läuft aus",
                               body="Die Waschmaschine verliert Wasser beim Schleudern.", language="de")
    sue.sync()
    bulk = team.console("ben", page_size=10, bulk_pages=2)
    plain = team.console("ben", page_size=10, bulk_pages=1)
    bulk.engine.pull()
    plain.engine.pull()
    assert case_index(bulk.path) == case_index(plain.path)
    for query in ("Schleudern Wasser", "Joerg Weiss", "0221 555 0123"):
        assert found_subjects(bulk, query)[:1] == ["Waschmaschine läuft aus"], query

    service.note(case.id, "Techniker für Donnerstag bestellt, Ersatzteil Laugenpumpe.")
    sue.sync()
    plain.engine.pull()
    assert found_subjects(plain, "Laugenpumpe") == ["Waschmaschine läuft aus"]
