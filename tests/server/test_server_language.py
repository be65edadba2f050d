"""The server answers each request in its user's language (``Accept-Language``, sent by the sync client with the
console's language), many users at once: no language for the whole process."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import uuid

import pytest

from agent_console import i18n
from agent_console.sync.client import AuthError, SyncClient
from tests.server.conftest import new_case_op, prepare_database, start_server

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-US"}


@pytest.fixture(scope="module")
def server(databases, tmp_path_factory):
    # The wording does not depend on the database: SQLite is enough here.
    url = databases.new("sqlite")
    tokens = prepare_database(url)
    live = start_server("sqlite", url, tmp_path_factory.mktemp("server-language-logs"))
    live.tokens.update(tokens)
    yield live
    live.stop()


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def test_the_sync_client_gets_a_refused_log_in_in_the_consoles_language(server):
    i18n.set_language("de")
    with SyncClient(server.base_url) as client, pytest.raises(AuthError) as refused:
        client.login("anna", "not the password")
    assert str(refused.value) == ("der Server hat die Anmeldung oder das Token abgelehnt: "
                                  "falscher Login oder falsches Passwort")
    i18n.set_language("en")
    with SyncClient(server.base_url) as client, pytest.raises(AuthError) as refused:
        client.login("ben", "not the password")
    assert str(refused.value) == "the server refused the log-in or token: wrong login or password"


def test_a_queue_restriction_and_a_conflict_in_german(server):
    intake = {"customer": "kunde@example.com", "channel": "email", "subject": "Rechnung", "body": "Hallo"}
    with server.client("anna") as anna:
        refused = anna.post("/api/v1/cases", json={**intake, "queue": "Sales"}, headers=GERMAN)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "die Warteschlange Sales gehört nicht zu Ihren"
        english = anna.post("/api/v1/cases", json={**intake, "queue": "Sales"}, headers=ENGLISH)
        assert english.json()["detail"] == "queue Sales is not one of yours"
        with server.client("sue") as sue:
            created = sue.post("/api/v1/cases", json={**intake, "queue": "Sales", "external_id": "mail-4711"})
            assert created.status_code == 201, created.text
        conflict = anna.post("/api/v1/cases", json={**intake, "queue": "Billing", "external_id": "mail-4711"},
                             headers=GERMAN)
        assert conflict.status_code == 409
        assert conflict.json()["detail"].startswith("diese external_id gehört zu einem Fall in einer Warteschlange")
        missing = anna.get("/api/v1/cases/AC-999999", headers=GERMAN)
        assert missing.json()["detail"] == "kein Fall 'AC-999999'"


def test_validation_names_the_field_in_each_language(server):
    with server.client() as client:
        german = client.post("/api/v1/auth/login", json={"login": "anna"}, headers=GERMAN)
        english = client.post("/api/v1/auth/login", json={"login": "anna"}, headers=ENGLISH)
    assert german.status_code == english.status_code == 422
    assert german.json()["detail"] == [{"loc": ["body", "password"], "msg": "dieses Feld ist erforderlich",
                                        "type": "missing"}]
    assert english.json()["detail"] == [{"loc": ["body", "password"], "msg": "Field required", "type": "missing"}]


def test_no_token_and_a_missing_role_in_german(server):
    with server.client() as client:
        assert client.get("/api/v1/auth/me", headers=GERMAN).json()["detail"] == (
            "nicht angemeldet: senden Sie Authorization: Bearer <token>")
    with server.client("anna") as anna:
        assert anna.get("/api/v1/monitor", headers=GERMAN).json()["detail"] == "dafür ist die Rolle supervisor nötig"


def test_an_ops_conflict_is_worded_in_the_language_of_its_request(server):
    created = new_case_op("General")
    case_uid = created["payload"]["case"]["uid"]
    assert server.ops("ben", created).json()["results"][0]["status"] == "applied"

    def claim(login: str, headers: dict) -> dict:
        op = {"op_id": str(uuid.uuid4()), "kind": "case.claim", "payload": {"case_uid": case_uid}}
        with server.client(login) as client:
            return client.post("/api/v1/ops", json={"ops": [op]}, headers=headers).json()["results"][0]

    assert claim("ben", ENGLISH)["status"] == "applied"
    german, english = claim("racer1", GERMAN), claim("racer2", ENGLISH)
    assert german["status"] == english["status"] == "conflict"
    assert german["reason"].endswith("wurde schon von Ben Second übernommen")
    assert english["reason"].endswith("is already claimed by Ben Second")


def test_many_users_at_once_each_in_their_own_language(server):
    def detail(language: str) -> str:
        headers = GERMAN if language == "de" else ENGLISH
        with server.client() as client:
            return client.get("/api/v1/auth/me", headers={**headers, "Authorization": "Bearer nonsense"}).json()[
                "detail"]

    languages = ["de", "en"] * 20
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(detail, languages))
    expected = {"de": "ungültiges, abgelaufenes oder widerrufenes Token", "en": "invalid, expired or revoked token"}
    assert answers == [expected[language] for language in languages]


def test_the_log_in_limit_in_german(server):
    with server.client() as client:
        for _attempt in range(5):
            assert client.post("/api/v1/auth/login", json={"login": "racer7", "password": "wrong"}).status_code == 401
        limited = client.post("/api/v1/auth/login", json={"login": "racer7", "password": "wrong"}, headers=GERMAN)
    assert limited.status_code == 429
    assert limited.json()["detail"].startswith("zu viele fehlgeschlagene Anmeldungen; erneut versuchen in ")


@pytest.mark.parametrize(("header", "expected"), [
    ("de-DE,de;q=0.9,en;q=0.8", "de"), ("en-US,en;q=0.9,de;q=0.8", "en"), ("fr-FR, de;q=0.5", "de"),
    ("fr-FR", "en"), ("", "en"), (None, "en"), ("de;q=abc, en", "en"), ("DE", "de"),
])
def test_the_language_a_request_asks_for(header, expected):
    assert i18n.language_from_accept(header) == expected
