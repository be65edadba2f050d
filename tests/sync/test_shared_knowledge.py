"""Canned responses and KB articles on the team server: ``server import canned|kb`` puts them there and every console
receives them through the change feed; a supervisor's edits from one console reach the others; an agent's are
refused (by the console, and by the server for an op that gets there anyway)."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from tests.sync.conftest import Floor

CANNED_CSV = ("title,shortcut,category,language,body\n"
              "Refund issued,refund-{tag},Billing,en,\"Hi {{{{ customer.first_name }}}}, the refund is on its way.\"\n"
              "Rückruf,rueckruf-{tag},General,de,Wir rufen Sie heute noch zurück.\n")


def _canned(cli, db) -> dict[str, dict]:
    result = cli("canned", "list", "--json", db=db)
    assert result.exit_code == 0, result.output
    return {r["shortcut"]: r for r in json.loads(result.stdout)}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_import_reaches_a_fresh_console(backend, request, cli, tmp_path):
    floor: Floor = request.getfixturevalue("floor" if backend == "sqlite" else "pg_floor")
    tag = uuid.uuid4().hex[:6]
    canned = tmp_path / "canned.csv"
    canned.write_text(CANNED_CSV.format(tag=tag))
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / f"returns-{tag}.md").write_text("---\ntitle: Returns within thirty days\ntags: returns\n"
                                                "language: en\n---\nParcels can be returned within 30 days.\n")

    fresh = floor.console("anna")
    assert cli("sync", "--once", db=fresh.path).exit_code == 0
    assert _canned(cli, fresh.path) == {}  # a fresh team server has none

    imported = cli("server", "import", "canned", str(canned), "--db", floor.db_url)
    assert imported.exit_code == 0, imported.output
    assert "2 created" in imported.stdout and "2 changes sent to the consoles" in imported.stdout
    imported = cli("server", "import", "kb", str(articles), "--db", floor.db_url)
    assert imported.exit_code == 0, imported.output

    assert cli("sync", "--once", db=fresh.path).exit_code == 0
    shown = _canned(cli, fresh.path)
    assert set(shown) == {f"refund-{tag}", f"rueckruf-{tag}"}
    assert shown[f"rueckruf-{tag}"]["body"] == "Wir rufen Sie heute noch zurück."
    # The article is in the console's search index too.
    found = cli("kb", "search", "returned parcels", "--json", db=fresh.path)
    assert found.exit_code == 0, found.output
    assert [hit["slug"] for hit in json.loads(found.stdout)["results"]] == [f"returns-{tag}"]

    # Re-importing an unchanged file sends nothing; a changed record is sent again.
    again = cli("server", "import", "canned", str(canned), "--db", floor.db_url)
    assert "2 unchanged" in again.stdout and "0 changes sent" in again.stdout
    canned.write_text(CANNED_CSV.format(tag=tag).replace("heute noch", "morgen"))
    assert "1 change sent" in cli("server", "import", "canned", str(canned), "--db", floor.db_url).stdout
    assert cli("sync", "--once", db=fresh.path).exit_code == 0
    assert _canned(cli, fresh.path)[f"rueckruf-{tag}"]["body"] == "Wir rufen Sie morgen zurück."


def test_a_bad_server_import_writes_and_sends_nothing(floor: Floor, cli, tmp_path):
    bad = tmp_path / "canned.csv"
    bad.write_text("title,shortcut,category,language,body\nOk,ok-one,General,en,Fine\nBad,bad one,General,xx,\n")
    result = cli("server", "import", "canned", str(bad), "--db", floor.db_url)
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert f"{bad}, line 3: " in result.stderr and "Traceback" not in result.output
    fresh = floor.console("anna")
    assert cli("sync", "--once", db=fresh.path).exit_code == 0
    assert _canned(cli, fresh.path) == {}


def test_a_supervisors_edits_reach_other_consoles_and_an_agents_are_refused(team: Floor, cli):
    sue, ben = team.console("sue"), team.console("ben")
    assert cli("sync", "--once", db=ben.path).exit_code == 0
    shortcut = f"apology-{uuid.uuid4().hex[:6]}"

    added = cli("canned", "add", shortcut, "--title", "Apology", "--body", "Sorry for the wait.",
                "--category", "General", db=sue.path)
    assert added.exit_code == 0, added.output
    assert cli("sync", "--once", db=sue.path).exit_code == 0
    assert cli("sync", "--once", db=ben.path).exit_code == 0
    assert _canned(cli, ben.path)[shortcut]["body"] == "Sorry for the wait."

    assert cli("canned", "edit", shortcut, "--body", "We are sorry for the wait.", db=sue.path).exit_code == 0
    assert cli("sync", "--once", db=sue.path).exit_code == 0
    assert cli("sync", "--once", db=ben.path).exit_code == 0
    assert _canned(cli, ben.path)[shortcut]["body"] == "We are sorry for the wait."

    body = team.tmp_path / f"{shortcut}.md"
    body.write_text("Waiting times are longer in December: apologise once, then give a date.\n")
    added = cli("kb", "add", "--title", "Apologising for waiting times", "--body-file", str(body),
                "--slug", shortcut, db=sue.path)
    assert added.exit_code == 0, added.output
    assert cli("sync", "--once", db=sue.path).exit_code == 0
    assert cli("sync", "--once", db=ben.path).exit_code == 0
    found = json.loads(cli("kb", "search", "waiting December", "--json", db=ben.path).stdout)["results"]
    assert shortcut in [hit["slug"] for hit in found]

    # Ben is an agent: his console refuses, and nothing changes anywhere.
    refused = cli("canned", "edit", shortcut, "--body", "whatever", db=ben.path)
    assert refused.exit_code == 1
    assert "only a supervisor or an admin can change them" in refused.stderr
    assert cli("canned", "delete", shortcut, db=ben.path).exit_code == 1
    refused = cli("kb", "delete", shortcut, db=ben.path)
    assert refused.exit_code == 1 and "KB articles are shared by the team" in refused.stderr
    assert ben.pending() == 0
    # An op that reaches the server anyway is refused there.
    uid = sqlite3.connect(ben.path).execute("SELECT uid FROM canned_responses WHERE shortcut = ?",
                                            (shortcut,)).fetchone()[0]
    answer = team.server.ops("ben", {"op_id": str(uuid.uuid4()), "kind": "canned.delete",
                                     "payload": {"uid": uid}}).json()["results"]
    assert answer[0]["status"] == "rejected"

    assert cli("canned", "delete", shortcut, db=sue.path).exit_code == 0
    assert cli("sync", "--once", db=sue.path).exit_code == 0
    assert cli("sync", "--once", db=ben.path).exit_code == 0
    assert shortcut not in _canned(cli, ben.path)
