"""A page of the change feed as the server sends it: times written as for any aware UTC datetime, data spliced in
as stored, the cursor and has_more right, queues filtered."""

from __future__ import annotations

from datetime import datetime, timezone

import orjson
from sqlalchemy import insert

from agent_console.server.feed import changes_page
from agent_console.store.models import ChangeLogEntry

TIMES = [datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc),
         datetime(2026, 11, 23, 9, 0, 1, 250000, tzinfo=timezone.utc),
         datetime(2026, 11, 23, 9, 0, 2, 7, tzinfo=timezone.utc)]


def test_a_page_carries_each_change_as_stored(store):
    rows = [{"entity": "message", "uid": f"m-{i}", "data": orjson.dumps({"uid": f"m-{i}", "body": f"Hi \"{i}\" ü"}).decode(),
             "at": at, "queue": "Billing" if i == 1 else None} for i, at in enumerate(TIMES)]
    with store.transaction() as session:
        session.execute(insert(ChangeLogEntry.__table__), rows)

    with store.engine.connect() as conn:
        first = orjson.loads(changes_page(conn, 0, 2, None))
        rest = orjson.loads(changes_page(conn, first["next_cursor"], 2, None))
        for_general = orjson.loads(changes_page(conn, 0, 10, ["General"]))

    changes = first["changes"] + rest["changes"]
    assert [c["at"] for c in changes] == [orjson.dumps(at).decode().strip('"') for at in TIMES]
    assert [datetime.fromisoformat(c["at"]) for c in changes] == TIMES
    assert [c["data"] for c in changes] == [orjson.loads(r["data"]) for r in rows]
    assert [c["seq"] for c in changes] == sorted(c["seq"] for c in changes)
    assert (first["has_more"], rest["has_more"]) == (True, False)
    assert rest["next_cursor"] == changes[-1]["seq"]
    assert [c["uid"] for c in for_general["changes"]] == ["m-0", "m-2"]
