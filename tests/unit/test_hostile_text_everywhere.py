"""No escape sequence from anyone reaches anyone's terminal (issue #14, point 1).

On the way in, every text field of every entity is either refused (identifiers and enumerations: queue, language,
e-mail, phone, external id, login, …) or stored clean (free text: subjects, bodies, names, titles, reasons), whether
it comes through the domain services, the CLI or an import. On the way out, text that is already in a store (written
with SQL, as an old store or a hostile sync could leave it) is shown by every CLI command — tables, ``--json``, CSV
and JSON records on standard output — without a control character and with markup literal. The server's ways in are
in tests/server/test_hostile_text.py, the screens in tests/tui/test_hostile_store_text.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import String, Text, inspect, select, text

from hostile_text import FORBIDDEN, HOSTILE, HOSTILE_CLEANED, HOSTILE_NO_NUL, assert_terminal_safe, poison_store

from agent_console.domain.agents import AgentError, upsert_agent
from agent_console.domain.cases import CaseError, CaseService
from agent_console.domain.text import (
    LOGIN_PATTERN,
    UnsafeText,
    check_identifier,
    check_language,
    check_login,
    clean_text,
    mask_controls,
    safe_json,
)
from agent_console.store.models import Case, Customer, HandlingSegment

#: An OSC 52 clipboard write: no space, no '@', short — it passes checks that only look for those.
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"


def store_controls(store) -> list[tuple[str, str, str]]:
    """(table, column, value) of every stored text value with a control character, in every table."""
    found = []
    with store.engine.connect() as conn:
        for table in inspect(store.engine).get_table_names():
            columns = [c["name"] for c in inspect(store.engine).get_columns(table)
                       if isinstance(c["type"], (String, Text))]
            for column in columns:
                for (value,) in conn.execute(text(f'SELECT "{column}" FROM "{table}"')):
                    if isinstance(value, str) and FORBIDDEN.search(value):
                        found.append((table, column, value))
    return found


@pytest.fixture
def full_store(store, clock, agents):
    """One row in every table whose text some surface shows: customer, case, messages, handling segment,
    escalation with follow-up, canned response, KB article, agents. Returns the case key."""
    from agent_console.domain.canned import CannedResponses
    from agent_console.domain.escalation import EscalationService
    from agent_console.domain.kb import KnowledgeBase

    anna = CaseService(store, clock, agents["anna"])
    now = clock.now()
    case = anna.create_case(customer="karl@example.de", channel="email", queue="Billing", subject="Invoice",
                            body="Charged twice", customer_name="Karl", external_id="EXT-1",
                            created_at=now - timedelta(hours=1))
    anna.claim(case.id)
    anna.reply(case.id, "We are checking.")
    anna.note(case.id, "internal")
    with store.transaction() as session:
        session.add(HandlingSegment(case_id=case.id, agent_id=agents["anna"].id, kind="handle",
                                    started_at=now - timedelta(minutes=30), ended_at=now - timedelta(minutes=20),
                                    end_reason="switch", wrap_up_code="solved"))
    EscalationService(store, clock, agents["anna"]).escalate(case.id, to_tier=2, reason="needs billing")
    CannedResponses(store, clock, agents["sue"]).create(title="Greeting", shortcut="greet", body="Hello",
                                                        category="general", language="en")
    KnowledgeBase(store, clock, agents["sue"]).create(title="Reset", body="Press the button", language="en",
                                                      tags="router", slug="reset")
    return case.key


# --- the text rules themselves --------------------------------------------------------------------------------------


def test_clean_text_keeps_the_words_and_markup_and_drops_every_control():
    assert clean_text(HOSTILE) == HOSTILE_CLEANED
    assert clean_text("a\r\nb\rc", keep_crlf=True) == "a\r\nb\nc"
    assert len(mask_controls(HOSTILE)) == len(HOSTILE) and not FORBIDDEN.search(mask_controls(HOSTILE))


def test_identifiers_with_controls_are_refused_naming_the_field():
    for bad in (HOSTILE, "Billing\x1b[31m", "Bil\x00ling", "Billing\x7f", "Bill\x9bing", "Bill\u202eing", "a\tb"):
        with pytest.raises(UnsafeText) as refused:
            check_identifier(bad, "queue")
        assert refused.value.field == "queue" and "control characters" in str(refused.value)
    assert check_identifier("  Billing [2nd level] ", "queue") == "Billing [2nd level]"
    with pytest.raises(UnsafeText, match="too long"):
        check_identifier("x" * 65, "queue", limit=64)


def test_logins_use_a_safe_alphabet():
    for good in ("anna", "a", "anna.schmidt", "agent_7", "x-1", "0day", "a" * 64):
        assert check_login(good) == good and LOGIN_PATTERN.match(good)
    for bad in ("", "Anna", "anna schmidt", ".anna", "-x", "anna@example.com", "a" * 65, "anna\x1b[31m", "ännä",
                "[b]x[/b]"):
        with pytest.raises(UnsafeText, match="invalid login"):
            check_login(bad)


def test_languages_are_the_ones_the_console_knows():
    assert check_language(" DE ") == "de" and check_language("en") == "en"
    for bad in ("fr", "", "d\x1be", HOSTILE):
        with pytest.raises(UnsafeText):
            check_language(bad)


def test_safe_json_escapes_what_json_dumps_leaves_raw_and_keeps_the_value():
    data = {"v": HOSTILE}
    assert "\x7f" in json.dumps(data, ensure_ascii=False)  # the gap safe_json closes
    dumped = safe_json(data, ensure_ascii=False, indent=2)
    assert_terminal_safe(dumped)
    assert json.loads(dumped) == data


# --- the way in: domain services (used by the screens, the CLI and the server) ------------------------------------


@pytest.mark.parametrize("field", ["queue", "customer", "external_id", "language"])
def test_a_new_case_refuses_hostile_identifiers(store, clock, agents, field):
    values = {"customer": "karl@example.de", "channel": "email", "queue": "Billing", "subject": "S", "body": "B",
              "external_id": "EXT-9", "language": "de", field: HOSTILE}
    with pytest.raises(CaseError, match=field):
        CaseService(store, clock, agents["anna"]).create_case(**values)
    with store.session() as session:
        assert session.scalars(select(Case)).all() == []


def test_a_new_case_stores_free_text_clean(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="karl@example.de", channel="email", queue="Billing", subject=HOSTILE,
                               body=HOSTILE, customer_name=HOSTILE)
    service.claim(case.id)
    service.reply(case.id, HOSTILE)
    service.note(case.id, HOSTILE)
    with store.session() as session:
        assert session.get(Case, case.id).subject == HOSTILE_CLEANED
        assert session.scalars(select(Customer)).one().name == HOSTILE_CLEANED
    assert store_controls(store) == []


def test_escalations_canned_and_kb_store_free_text_clean(full_store, store, clock, agents):
    from agent_console.domain.canned import CannedResponses
    from agent_console.domain.escalation import EscalationService
    from agent_console.domain.kb import KnowledgeBase

    EscalationService(store, clock, agents["ben"]).escalate(full_store, to_tier=3, to_queue="Billing " + HOSTILE,
                                                            reason=HOSTILE)
    CannedResponses(store, clock, agents["sue"]).create(title=HOSTILE, shortcut="evil", body=HOSTILE,
                                                        category=HOSTILE, language="en")
    KnowledgeBase(store, clock, agents["sue"]).create(title=HOSTILE, body=HOSTILE, language="en", tags=HOSTILE,
                                                      slug="evil")
    assert store_controls(store) == []


def test_moving_a_case_needs_a_clean_known_queue(full_store, store, clock, agents):
    service = CaseService(store, clock, agents["sue"])
    with pytest.raises(CaseError, match="control characters"):
        service.set_queue(full_store, "Billing\x1b]52;c;cHduZWQ=\x07")
    with pytest.raises(CaseError, match="unknown queue 'Nowhere'"):
        service.set_queue(full_store, "Nowhere")
    assert service.set_queue(full_store, "Complaints").queue == "Complaints"  # a standard queue
    upsert_agent(store, clock, login="cleo", name="Cleo", queues="Returns, Refunds")
    assert service.set_queue(full_store, "Refunds").queue == "Refunds"  # an agent works it
    service.create_case(customer="mia@example.com", channel="chat", queue="Stores", subject="Parcel", body="Where?")
    assert service.set_queue(full_store, "Stores").queue == "Stores"  # no agent works it, but a case is in it
    with pytest.raises(CaseError, match="unknown queue 'Returns2'"):
        service.set_queue(full_store, "Returns2")


@pytest.mark.parametrize("field", ["login", "queues", "skills"])
def test_agents_refuse_hostile_logins_queues_and_skills(store, clock, field):
    values = {"login": "cleo", "name": "Cleo", "queues": "Billing", "skills": "de", field: "eve" + CLIPBOARD}
    with pytest.raises(AgentError):
        upsert_agent(store, clock, **values)


def test_agent_names_are_stored_clean(store, clock):
    agent, _created = upsert_agent(store, clock, login="cleo", name=HOSTILE)
    assert agent.name == HOSTILE_CLEANED
    assert store_controls(store) == []


def test_a_wrap_up_code_with_control_characters_is_refused(full_store, store, clock, agents):
    from agent_console.domain.handling import HandlingError, HandlingTracker

    service = CaseService(store, clock, agents["ben"])
    tracker = HandlingTracker(store, clock, agents["ben"], wrap_up_codes=None)  # any code allowed
    service.claim(full_store)
    case_id = service.get(full_store).id
    tracker.case_opened(case_id)
    service.resolve(full_store)
    tracker.resolved(case_id)
    with pytest.raises(HandlingError, match="control characters"):
        tracker.wrap_up_done("solved" + CLIPBOARD)
    tracker.wrap_up_done("solved")
    assert store_controls(store) == []


# --- the way in: the CLI --------------------------------------------------------------------------------------------


def test_cli_refuses_hostile_identifiers_with_a_message(cli, agents, full_store):
    attempts = [
        ("case", "create", "--customer", "eve@example.com", "--channel", "email", "--queue", HOSTILE_NO_NUL,
         "--subject", "s", "--body", "b"),
        ("case", "create", "--customer", "eve\x1b[31m@example.com", "--channel", "email", "--queue", "Billing",
         "--subject", "s", "--body", "b"),
        ("agents", "add", "eve\x1b]0;x\x07", "--name", "Eve"),
        ("agents", "add", "eve", "--name", "Eve", "--queues", HOSTILE_NO_NUL),
        ("--agent", "sue", "case", "queue", full_store, HOSTILE_NO_NUL),
    ]
    for args in attempts:
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("error: ") and "Traceback" not in result.output
        assert_terminal_safe(result.output, " ".join(args[:2]))


def test_cli_stores_free_text_clean(cli, agents):
    result = cli("case", "create", "--customer", "eve@example.com", "--channel", "email", "--queue", "Billing",
                 "--subject", HOSTILE_NO_NUL, "--body", HOSTILE_NO_NUL, "--name", HOSTILE_NO_NUL)
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    assert cli("--agent", "anna", "case", "reply", key, HOSTILE_NO_NUL).exit_code == 0
    assert cli("agents", "add", "eve", "--name", HOSTILE_NO_NUL).exit_code == 0


# --- the way in: imports --------------------------------------------------------------------------------------------

VALID_RECORDS = {
    "customers": {"name": "Karl", "email": "karl@example.de", "phone": "+49 30 1234", "language": "de"},
    "cases": {"external_id": "EXT-7", "customer_email": "karl@example.de", "channel": "email", "queue": "Billing",
              "priority": "normal", "subject": "Invoice", "body": "Charged twice", "created_at": "2026-11-22T08:00:00Z",
              "customer_name": "Karl", "customer_phone": "+49 30 1234", "language": "de", "tags": "billing,refund"},
    "kb": {"slug": "reset", "title": "Reset", "body": "Press it", "tags": "router", "language": "en"},
    "canned": {"title": "Greeting", "shortcut": "greet", "category": "general", "language": "en", "body": "Hello"},
    "agents": {"login": "cleo", "name": "Cleo", "role": "agent", "tier": 1, "queues": "Billing", "skills": "de"},
    "surveys": {"case_external_id": "EXT-1", "csat": 5, "nps": 9, "ces": 2},
}
TEXT_FIELDS = [(kind, name) for kind, record in VALID_RECORDS.items() for name, value in record.items()
               if isinstance(value, str)]


@pytest.mark.parametrize("kind,field", TEXT_FIELDS)
def test_imports_refuse_or_clean_every_text_field(full_store, store, clock, tmp_path, kind, field):
    from agent_console.admin.importer import ImportFailed, import_file

    path = tmp_path / f"{kind}.jsonl"
    # In an e-mail address the escape sequence has no space and keeps the '@': it must not pass for an address.
    value = f"karl{CLIPBOARD}@example.de" if "email" in field else HOSTILE
    path.write_text(json.dumps({**VALID_RECORDS[kind], field: value}) + "\n", encoding="utf-8")
    try:
        import_file(store, clock, kind, path)
    except ImportFailed as failed:
        message = str(failed)
        assert f"{path}, line 1: {field}:" in message, message
        assert_terminal_safe(message)
    assert store_controls(store) == []


# --- the way out: every CLI command, on text that is already in the store ------------------------------------------


def cli_surfaces(key: str) -> list[tuple[str, ...]]:
    surfaces = [
        ("agents", "list"), ("agents", "list", "--json"),
        ("case", "list", "--view", "all"), ("case", "list", "--view", "all", "--json"),
        ("case", "show", key), ("case", "show", key, "--json"),
        ("case", "history", key), ("case", "history", key, "--json"),
        ("--agent", "anna", "case", "follow-ups"), ("--agent", "anna", "case", "follow-ups", "--json"),
        ("canned", "list"), ("canned", "list", "--json"), ("canned", "show", "greet"),
        ("canned", "show", "greet", "--json"),
        ("kb", "show", "reset"), ("kb", "show", "reset", "--json"),
        ("--agent", "anna", "state"), ("--agent", "anna", "state", "--json"),
    ]
    for by in ("queue", "agent", "channel"):
        for fmt in ("table", "csv", "json"):
            surfaces.append(("report", "aht", "--by", by, "--since", "2026-11-20", "--until", "2026-11-23",
                             "--format", fmt))
    for kind in ("customers", "cases", "kb", "canned", "agents"):
        for fmt in ("csv", "json", "jsonl"):
            surfaces.append(("export", kind, "--format", fmt))
    return surfaces


def test_every_cli_surface_shows_stored_hostile_text_safely(cli, full_store, store, clock):
    poison_store(store, clock)
    shown_literally = 0
    for args in cli_surfaces(full_store):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
        assert_terminal_safe(result.output, " ".join(args))
        if "--json" in args or args[-1] == "json" or args[-1] == "jsonl":
            lines = result.output.splitlines() if args[-1] == "jsonl" else [result.output]
            for line in lines:
                json.loads(line)  # escaped, still JSON, the value kept
        if "[bold red]x[/]" in result.output:
            shown_literally += 1
    assert shown_literally >= len(cli_surfaces(full_store)) // 2


def test_json_output_keeps_the_stored_value(cli, full_store, store, clock):
    poison_store(store, clock)
    listed = json.loads(cli("agents", "list", "--json").output)
    assert HOSTILE in [agent["name"] for agent in listed] and HOSTILE in [agent["login"] for agent in listed]
