"""``agent-console cti event | missed | called-back`` and ``agents add/set --extension`` on a real store file (#20)."""

from __future__ import annotations

import json

from agent_console.domain.cases import CaseService


def _event(cli, *args: str):
    return cli("cti", "event", *args)


def test_extensions_are_mapped_once_and_calls_ring_for_them(cli, store, clock, agents):
    assert cli("agents", "set", "anna", "--extension", "42").exit_code == 0
    taken = cli("agents", "add", "lena", "--name", "Lena", "--extension", "42")
    assert taken.exit_code == 1 and "extension 42 belongs to anna already" in taken.output
    assert cli("agents", "add", "lena", "--name", "Lena", "--extension", "43").exit_code == 0
    listed = {a["login"]: a for a in json.loads(cli("agents", "list", "--json").output)}
    assert listed["anna"]["extension"] == "42" and listed["lena"]["extension"] == "43"
    result = _event(cli, "--event", "newCall", "--call-id", "c1", "--from", "030 1234567", "--to", "0800",
                    "--direction", "in", "--user", "42", "--user", "43", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ringing"] == ["anna", "lena"]
    assert cli("agents", "set", "anna", "--extension", "").exit_code == 0
    assert json.loads(cli("agents", "list", "--json").output)[0]["extension"] is None


def test_a_call_on_the_case_shows_in_case_show(cli, store, clock, agents):
    case = CaseService(store, clock, agents["anna"]).create_case(
        customer="+49 30 1234567", channel="phone", queue="Billing", subject="Rechnung", body="Hallo",
        customer_name="Karl Kunde")
    for args in (("--event", "newCall", "--from", "004930 1234567", "--to", "0800", "--user", "anna"),
                 ("--event", "answer", "--user", "anna"), ("--event", "hangup", "--cause", "normalClearing")):
        result = _event(cli, "--call-id", "k1", *args)
        assert result.exit_code == 0, result.output
        assert "Karl Kunde" in result.output and case.key in result.output
    shown = json.loads(cli("case", "show", case.key, "--json").output)
    assert [(c["call_id"], c["answered_by"], c["cause"], c["missed"]) for c in shown["calls"]] == [
        ("k1", "anna", "normalClearing", False)]
    text = cli("case", "show", case.key).output
    assert "Inbound call from +49301234567" in text and "answered by anna" in text


def test_missed_calls_are_listed_until_called_back(cli, store, clock, agents):
    _event(cli, "--event", "newCall", "--call-id", "m1", "--from", "0171 2345678", "--to", "0800")
    _event(cli, "--event", "hangup", "--call-id", "m1", "--cause", "cancel")
    _event(cli, "--event", "newCall", "--call-id", "a1", "--from", "anonymous", "--to", "0800")
    _event(cli, "--event", "hangup", "--call-id", "a1", "--cause", "noAnswer")
    missed = json.loads(cli("cti", "missed", "--json").output)
    assert {(c["call_id"], c["number"], c["withheld"]) for c in missed} == {("m1", "+491712345678", False),
                                                                          ("a1", None, True)}
    table = cli("cti", "missed").output
    assert "+491712345678" in table and "withheld" in table
    done = cli("--agent", "ben", "cti", "called-back", "m1")
    assert done.exit_code == 0, done.output
    assert [c["call_id"] for c in json.loads(cli("cti", "missed", "--json").output)] == ["a1"]
    everything = json.loads(cli("cti", "missed", "--all", "--json").output)
    assert {c["call_id"]: c["called_back_by"] for c in everything} == {"m1": "ben", "a1": None}
    unknown = cli("cti", "called-back", "nope")
    assert unknown.exit_code == 1 and "no call 'nope'" in unknown.output


def test_a_bad_event_names_its_option_and_records_nothing(cli, store, agents):
    for args, message in ((("--event", "ring", "--call-id", "b1"), "--event: 'ring' is not one of"),
                          (("--event", "hangup", "--call-id", "b1", "--cause", "asleep"), "--cause: not one of"),
                          (("--event", "newCall", "--call-id", "b1", "--from", "call me"), "--from: 'call me'")):
        result = _event(cli, *args)
        assert result.exit_code == 1 and message in result.output, result.output
        assert "Traceback" not in result.output
    assert json.loads(cli("cti", "missed", "--all", "--json").output) == []


def test_imported_numbers_are_stored_in_e164_and_a_caller_finds_the_customer(cli, store, tmp_path, agents):
    f = tmp_path / "customers.csv"
    f.write_text("name,email,phone,language\nJörg Müller,,030 1234567,de\nAmy Fox,amy@example.com,004940 7654321,en\n",
                 encoding="utf-8")
    result = cli("import", "customers", str(f))
    assert result.exit_code == 0, result.output
    result = _event(cli, "--event", "newCall", "--call-id", "i1", "--from", "+49 (0)30 123 45 67", "--to", "0800",
                    "--json")
    assert json.loads(result.output)["customer"] == "Jörg Müller"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,phone,language\nX,x@example.com,ruf mich an,de\n", encoding="utf-8")
    refused = cli("import", "customers", str(bad))
    assert refused.exit_code != 0 and "line 2" in refused.output and "phone" in refused.output


def test_case_create_with_call_attaches_the_call_to_the_new_case(cli, store, clock, agents):
    _event(cli, "--event", "newCall", "--call-id", "n1", "--from", "0171 5550123", "--to", "0800", "--user", "anna")
    _event(cli, "--event", "answer", "--call-id", "n1", "--user", "anna")
    created = cli("--agent", "anna", "case", "create", "--customer", "0171 5550123", "--name", "Neue Kundin",
                  "--channel", "phone", "--queue", "Billing", "--subject", "Anruf", "--body", "Anruf", "--call", "n1")
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    _event(cli, "--event", "hangup", "--call-id", "n1", "--cause", "normalClearing")
    shown = json.loads(cli("case", "show", key, "--json").output)
    assert [(c["call_id"], c["answered_by"], c["cause"]) for c in shown["calls"]] == [("n1", "anna", "normalClearing")]
    with store.session() as session:
        from agent_console.store import call_queries, queries

        call = call_queries.call_by_call_id(session, "n1")
        case = queries.case_by_key(session, key)
        assert (call.case_id, call.customer_id) == (case.id, case.customer_id)


def test_case_create_for_an_unknown_call_is_refused_and_writes_nothing(cli, store, agents):
    before = json.loads(cli("case", "list", "--view", "all", "--json").output)
    refused = cli("case", "create", "--customer", "0171 5550123", "--name", "Neue Kundin", "--channel", "phone",
                  "--queue", "Billing", "--subject", "Anruf", "--body", "Anruf", "--call", "nope")
    assert refused.exit_code == 1 and "no call 'nope'" in refused.output and "Traceback" not in refused.output
    assert json.loads(cli("case", "list", "--view", "all", "--json").output) == before
