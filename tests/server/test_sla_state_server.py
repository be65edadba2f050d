"""The weekend case of issue #16 on a real server: its monitor route counts the case at risk by business time, as
``sla.case_countdown`` (and so every console surface) does.

The server runs on the real clock, so the weekend is built around today: the policy's business hours leave out
today's and tomorrow's weekdays, and the case came in yesterday at 14:05 — 3 h 55 of its 4 business hours are used,
its first response is due the day after tomorrow at 08:05, more than eight wall-clock hours away.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from agent_console.domain import sla
from agent_console.server.db import open_server_store
from agent_console.store.models import Case, SlaPolicy
from tests.server.conftest import new_case_op, prepare_database, start_server

UTC = timezone.utc


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_servers_monitor_counts_the_weekend_case_at_risk(backend, databases, tmp_path):
    now = datetime.now(UTC)
    closed = {now.weekday(), (now + timedelta(days=1)).weekday()}
    hours = json.dumps({"tz": "UTC", "days": [d for d in range(7) if d not in closed], "open": "08:00",
                        "close": "18:00"})
    created = datetime.combine(now.date() - timedelta(days=1), time(14, 5), tzinfo=UTC)

    url = databases.new(backend)
    tokens = prepare_database(url)
    store = open_server_store(url)
    try:
        with store.transaction() as session:
            session.add(SlaPolicy(channel="email", first_response_s=4 * 3600, next_update_s=8 * 3600,
                                  resolution_s=16 * 3600, business_hours=hours))
    finally:
        store.dispose()
    server = start_server(backend, url, tmp_path)
    server.tokens.update(tokens)
    try:
        op = new_case_op("Billing", customer=f"{uuid.uuid4().hex[:8]}@example.com")
        op["payload"]["case"]["created_at"] = created.isoformat()
        response = server.ops("sue", op)
        assert response.status_code == 200, response.text
        with server.client("sue") as client:
            figures = client.get("/api/v1/monitor", params={"tz": "UTC"}).json()

        store = open_server_store(url)
        try:
            with store.session() as session:
                case = session.scalars(select(Case)).one()
                policy = session.scalars(select(SlaPolicy).where(SlaPolicy.channel == "email")).one()
                at = datetime.now(UTC)
                countdown = sla.case_countdown(case, policy, at)
        finally:
            store.dispose()
        assert case.first_response_due == datetime.combine(now.date() + timedelta(days=2), time(8, 5), tzinfo=UTC)
        assert countdown.state == sla.SlaState.at_risk and countdown.remaining_s > 8 * 3600
        assert figures["floor"]["at_risk"] == 1 and figures["floor"]["breached"] == 0
        billing = next(q for q in figures["queues"] if q["name"] == "Billing")
        assert billing["at_risk"] == 1
    finally:
        server.stop()
