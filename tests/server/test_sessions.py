"""Sessions end when they should: password rules, password changes revoking tokens, no silent overwrite of an
account, the last admin (issue #14, point 3)."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest

from tests.server.conftest import PASSWORD, prepare_database, start_server


def new_login() -> str:
    return f"u{uuid.uuid4().hex[:8]}"


def add_agent(live, login: str, password: str, **extra) -> httpx.Response:
    with live.client("root") as client:
        return client.post("/api/v1/agents", json={"login": login, "name": "Test Person", "password": password,
                                                   **extra})


def test_passwords_are_checked_against_length_common_passwords_and_the_login(live):
    login = new_login()
    for password, why in (("short-pw1", "at least 10"), ("password123", "common password"),
                          ("Qwertyuiop", "common password"), (f"my-{login}-pw", "login name")):
        response = add_agent(live, login, password)
        assert response.status_code == 422, (password, response.text)
        assert why in response.json()["detail"]
    assert add_agent(live, login, "staple battery horse").status_code == 201


def test_an_existing_account_changes_only_on_request_and_its_tokens_are_revoked(live):
    login = new_login()
    assert add_agent(live, login, "first long password").status_code == 201
    token = live.login(login, "first long password").json()["access_token"]
    refused = add_agent(live, login, "second long password", role="admin")
    assert refused.status_code == 409 and "update" in refused.json()["detail"]
    assert live.login(login, "first long password").status_code == 200
    changed = add_agent(live, login, "second long password", update=True)
    assert changed.status_code == 201, changed.text
    with live.client(token=token) as client:
        assert client.get("/api/v1/auth/me").status_code == 401
    assert live.login(login, "first long password").status_code == 401
    assert live.login(login, "second long password").status_code == 200


def test_the_last_admin_cannot_be_demoted(fresh_server):
    demote = {"login": "root", "name": "Root Admin", "role": "supervisor", "password": "a new long password",
              "update": True}
    with fresh_server.client("root") as client:
        response = client.post("/api/v1/agents", json=demote)
    assert response.status_code == 422 and "last admin" in response.json()["detail"]
    assert add_agent(fresh_server, "second-admin", "admin number two", role="admin").status_code == 201
    with fresh_server.client("root") as client:
        response = client.post("/api/v1/agents", json=demote)
    assert response.status_code == 201, response.text


def _token_names(db_url: str) -> list[str]:
    from sqlalchemy import select

    from agent_console.server.db import open_server_store
    from agent_console.store.models import AuthToken

    store = open_server_store(db_url)
    try:
        with store.engine.connect() as conn:
            return list(conn.execute(select(AuthToken.__table__.c.name)).scalars())
    finally:
        store.dispose()


def test_x_forwarded_for_is_not_believed_by_default(fresh_server):
    response = httpx.post(f"{fresh_server.base_url}/api/v1/auth/login",
                          json={"login": "anna", "password": PASSWORD}, headers={"X-Forwarded-For": "203.0.113.5"})
    assert response.status_code == 200
    names = _token_names(fresh_server.db_url)
    assert "127.0.0.1" in names and "203.0.113.5" not in names


@pytest.fixture
def proxied_server(databases, tmp_path_factory):
    """A server behind a (pretend) reverse proxy on 127.0.0.1, whose X-Forwarded-For it believes."""
    url = databases.new("sqlite")
    tokens = prepare_database(url)
    server = start_server("sqlite", url, tmp_path_factory.mktemp("server-logs"), "--forwarded-allow-ips", "127.0.0.1")
    server.tokens.update(tokens)
    yield server
    server.stop()


def _login_from(server, address: str, password: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/v1/auth/login", json={"login": "anna", "password": password},
                      headers={"X-Forwarded-For": address}, timeout=30)


def test_failed_logins_from_one_address_do_not_lock_the_account_out_elsewhere(proxied_server):
    for _ in range(5):
        assert _login_from(proxied_server, "203.0.113.66", "wrong password").status_code == 401
    assert _login_from(proxied_server, "203.0.113.66", PASSWORD).status_code == 429
    assert _login_from(proxied_server, "198.51.100.20", PASSWORD).status_code == 200
    assert "198.51.100.20" in _token_names(proxied_server.db_url)


class _Stream:
    """An open GET /events whose end (the server closing it) is noticed by a reader thread."""

    def __init__(self, base_url: str, token: str) -> None:
        self.client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                                   timeout=httpx.Timeout(30, read=120))
        self.response = self.client.send(self.client.build_request("GET", "/api/v1/events"), stream=True)
        assert self.response.status_code == 200
        self.pid = self.response.headers["x-worker-pid"]
        self.first_event = threading.Event()
        self.ended = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.first_event.wait(30)

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines():
                if line.startswith("event:"):
                    self.first_event.set()
        except httpx.HTTPError:
            pass
        self.ended.set()

    def close(self) -> None:
        self.response.close()
        self.client.close()


# Streams that are not ended never close by themselves (a heartbeat comes every 15 s): the bound only keeps a failing
# test from hanging.
ENDS_WITHIN = 10


def test_a_revoked_tokens_event_stream_closes_at_once(live):
    token = live.login("ben").json()["access_token"]
    other = _Stream(live.base_url, live.token("sue"))
    stream = _Stream(live.base_url, token)
    try:
        with live.client(token=token) as client:
            assert client.post("/api/v1/auth/logout").status_code == 200
        assert stream.ended.wait(ENDS_WITHIN), "the revoked token's stream stayed open"
        assert not other.ended.is_set()
    finally:
        stream.close()
        other.close()


def test_a_password_change_closes_the_accounts_streams_on_every_worker(postgres_cluster, databases, tmp_path):
    url = databases.new("postgresql")
    tokens = prepare_database(url)
    server = start_server("postgresql", url, tmp_path, "--workers", "2")
    server.tokens.update(tokens)
    token = server.login("anna").json()["access_token"]
    streams = []
    try:
        while len({s.pid for s in streams}) < 2 and len(streams) < 60:  # until both workers hold a stream
            streams.append(_Stream(server.base_url, token))
        assert len({s.pid for s in streams}) == 2, "the kernel never handed a connection to the second worker"
        changed = add_agent(server, "anna", "a brand new password", queues=["Billing"], update=True)
        assert changed.status_code == 201, changed.text
        for stream in streams:
            assert stream.ended.wait(ENDS_WITHIN), "a stream of the old password's token stayed open"
    finally:
        for stream in streams:
            stream.close()
        server.stop()


def test_changing_ones_own_password_logs_the_account_out_everywhere(live):
    login = new_login()
    assert add_agent(live, login, "first long password").status_code == 201
    elsewhere = live.login(login, "first long password").json()["access_token"]
    here = live.login(login, "first long password").json()["access_token"]
    with live.client(token=here) as client:
        wrong = client.post("/api/v1/auth/password", json={"current_password": "not it at all",
                                                            "new_password": "second long password"})
        assert wrong.status_code == 403
        weak = client.post("/api/v1/auth/password", json={"current_password": "first long password",
                                                           "new_password": "password1234"})
        assert weak.status_code == 422 and "common password" in weak.json()["detail"]
        changed = client.post("/api/v1/auth/password", json={"current_password": "first long password",
                                                              "new_password": "second long password"})
        assert changed.status_code == 200, changed.text
        assert client.get("/api/v1/auth/me").status_code == 401  # the token it was sent with is revoked too
    for token in (elsewhere,):
        with live.client(token=token) as client:
            assert client.get("/api/v1/auth/me").status_code == 401
    with live.client(token=changed.json()["access_token"]) as client:
        assert client.get("/api/v1/auth/me").json()["login"] == login
    assert live.login(login, "first long password").status_code == 401
