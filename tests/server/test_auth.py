"""Log-in, tokens (session and API), log-out, expiry, revocation and the log-in rate limit, on a real server."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.server.conftest import PASSWORD


def _only_detail(response: httpx.Response) -> None:
    assert set(response.json()) == {"detail"}
    assert isinstance(response.json()["detail"], str)


def test_login_gives_a_bearer_token_that_identifies_the_agent(live):
    response = live.login("anna")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_at"]
    assert body["agent"] == {"login": "anna", "name": "Anna Agent", "role": "agent", "tier": 1, "queues": ["Billing"]}
    me = httpx.get(f"{live.base_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["login"] == "anna"


@pytest.mark.parametrize("login,password", [("anna", "wrong password"), ("nobody-here", PASSWORD)])
def test_a_wrong_password_or_unknown_login_is_refused_alike(live, login, password):
    response = live.login(login, password)
    assert response.status_code == 401
    assert response.json() == {"detail": "wrong login or password"}
    assert "access_token" not in response.text


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic YW5uYTpwdw==", "Bearer acs_" + "x" * 43])
def test_missing_or_bad_tokens_get_401_with_no_data(live, header):
    headers = {"Authorization": header} if header else {}
    for path in ("/api/v1/cases", "/api/v1/changes", "/api/v1/monitor", "/api/v1/auth/me"):
        response = httpx.get(f"{live.base_url}{path}", headers=headers)
        assert response.status_code == 401, path
        _only_detail(response)
        assert response.headers["www-authenticate"] == "Bearer"


def test_logout_revokes_the_token(live):
    token = live.login("ben").json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{live.base_url}/api/v1/auth/me", headers=headers).status_code == 200
    assert httpx.post(f"{live.base_url}/api/v1/auth/logout", headers=headers).status_code == 200
    response = httpx.get(f"{live.base_url}/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    _only_detail(response)


def test_an_expired_token_is_refused(live):
    from sqlalchemy import select

    from agent_console.domain.clock import SystemClock
    from agent_console.server.auth import issue_token
    from agent_console.server.db import open_server_store
    from agent_console.store.models import Agent

    store = open_server_store(live.db_url)
    try:
        with store.transaction() as session:
            agent_id = session.scalar(select(Agent.id).where(Agent.login == "ben"))
            issued_at = SystemClock().now() - timedelta(hours=2)
            expired, _row = issue_token(session, agent_id, issued_at, lifetime=timedelta(hours=1))
            fresh, _row = issue_token(session, agent_id, issued_at, lifetime=timedelta(hours=3))
    finally:
        store.dispose()
    me = f"{live.base_url}/api/v1/auth/me"
    assert httpx.get(me, headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    response = httpx.get(me, headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    _only_detail(response)


def test_api_tokens_from_the_cli_work_until_revoked(live, cli):
    created = cli("server", "tokens", "create", "root", "--name", "mail gateway", "--days", "30", "--db", live.db_url)
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("acs_")
    headers = {"Authorization": f"Bearer {token}"}
    intake = httpx.post(f"{live.base_url}/api/v1/cases", headers=headers, json={
        "customer": "api-token-test@example.com", "channel": "email", "queue": "General",
        "subject": "Hello from the gateway", "body": "Where is my parcel?"})
    assert intake.status_code == 201, intake.text
    listed = cli("server", "tokens", "list", "--db", live.db_url)
    assert "mail gateway" in listed.stdout
    revoked = cli("server", "tokens", "revoke", "--login", "root", "--db", live.db_url)
    assert revoked.exit_code == 0, revoked.output
    response = httpx.get(f"{live.base_url}/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    live.tokens.pop("root", None)  # its session token was revoked as well


def test_failed_logins_are_rate_limited(fresh_server):
    for _ in range(5):
        assert fresh_server.login("anna", "wrong password").status_code == 401
    limited = fresh_server.login("anna", "wrong password")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    _only_detail(limited)
    # Even the right password waits: the limit is per login and per address, whatever the password.
    assert fresh_server.login("anna").status_code == 429
