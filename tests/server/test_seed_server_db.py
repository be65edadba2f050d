"""``agent-console server seed demo --db URL``: the demo data written into the team server's PostgreSQL database (the
seeder writes most rows with explicit ids, so PostgreSQL's id sequences must be moved past them before the rows the
ORM adds after — escalations, breach events), searchable there and carried to consoles by the change feed."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from typer.testing import CliRunner

from tests.server.conftest import migrate_database

SEQUENCED_TABLES = ("customers", "cases", "messages", "sla_events", "handling_segments", "escalations", "agents")


def seed(url: str, *args: str):
    from agent_console.cli.app import build_app

    return CliRunner().invoke(build_app(), ["server", "seed", "demo", "--db", url, "--customers", "12",
                                            "--cases", "60", "--kb", "3", *args])


def test_seeding_the_servers_postgresql_database_twice_and_searching_it(postgres_cluster):
    from agent_console.store.db import open_store
    from agent_console.store.search import search_case_index

    url = postgres_cluster.create_database(f"seed_pg_{uuid.uuid4().hex[:10]}")
    migrate_database(url)

    first = seed(url)
    assert first.exit_code == 0, first.output
    assert "escalations" in first.output and "AC-000060" in first.output
    refused = seed(url)
    assert refused.exit_code == 1 and "--force" in refused.output
    again = seed(url, "--force", "--seed", "7")
    assert again.exit_code == 0, again.output

    store = open_store(url)
    try:
        with store.session() as session:
            conn = session.connection()
            assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 120
            for table in SEQUENCED_TABLES:  # the next id the database hands out is free
                highest = conn.execute(text(f"SELECT max(id) FROM {table}")).scalar()
                last = conn.execute(text(f"SELECT last_value FROM {table}_id_seq")).scalar()
                assert highest is not None and last >= highest, table
            published = conn.execute(text("SELECT count(*) FROM change_log WHERE entity = 'case'")).scalar()
            assert published == 120
            newest_id, newest_key = conn.execute(text("SELECT id, key FROM cases ORDER BY id DESC LIMIT 1")).one()
            result = search_case_index(session, newest_key, limit=3)
            assert [m.case_id for m in result.matches][:1] == [newest_id]
    finally:
        store.dispose()
