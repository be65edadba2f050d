"""64-bit keys: the feed works beyond 2^31 on PostgreSQL after migration 0012, and no cursor gets a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from agent_console.store.db import upgrade
from tests.server.conftest import new_case_op, prepare_database, start_server

BEYOND_INT32 = 2**31 + 1000


@pytest.mark.parametrize("cursor", ["2147483647", "2147483648", "4611686018427387904", "99999999999999999999"])
def test_a_cursor_beyond_the_head_answers_an_empty_page_or_a_client_error(live, cursor):
    with live.client("root") as client:
        response = client.get("/api/v1/changes", params={"cursor": cursor})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["changes"] == []
        assert response.json()["has_more"] is False


def _column_types(engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' "
            "AND column_name IN ('id', 'seq', 'case_id', 'customer_id', 'entity_id')")).all()
    return {(table, column): data_type for table, column, data_type in rows}


def test_migration_0012_makes_growing_keys_64_bit_and_the_feed_works_beyond_2_31(databases, tmp_path):
    url = databases.new("postgresql")
    upgrade(url, "0010")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:  # a live table: rows that must survive the conversion
            conn.execute(text("INSERT INTO change_log (entity, uid, data, at, queue) "
                              "VALUES ('case', 'before-0012', '{}', now(), 'Billing')"))
        assert _column_types(engine)[("change_log", "seq")] == "integer"

        tokens = prepare_database(url)  # upgrades to head
        types = _column_types(engine)
        for key in [("change_log", "seq"), ("messages", "id"), ("messages", "case_id"), ("cases", "id"),
                    ("audit_events", "id"), ("audit_events", "entity_id"), ("sla_events", "id"),
                    ("handling_segments", "id"), ("login_failures", "id"), ("auth_tokens", "id")]:
            assert types[key] == "bigint", key
        assert types[("agents", "id")] == "integer"  # accounts do not grow with traffic
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM change_log WHERE uid = 'before-0012'")).scalar() == 1
            for table, column in (("change_log", "seq"), ("messages", "id"), ("cases", "id")):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), {BEYOND_INT32})"))
    finally:
        engine.dispose()

    server = start_server("postgresql", url, tmp_path)
    server.tokens.update(tokens)
    try:
        created = server.ops("root", new_case_op())
        assert created.status_code == 200, created.text
        assert created.json()["results"][0]["status"] == "applied", created.text
        with server.client("root") as client:
            page = client.get("/api/v1/changes", params={"cursor": BEYOND_INT32 - 1}).json()
            assert page["changes"], page
            assert all(change["seq"] > BEYOND_INT32 for change in page["changes"])
            assert page["next_cursor"] > 2**31
            after = client.get("/api/v1/changes", params={"cursor": page["next_cursor"]})
            assert after.status_code == 200
            assert after.json()["changes"] == []
    finally:
        server.stop()
