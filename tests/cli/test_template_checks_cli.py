"""The shell refuses what the console refuses: canned add/edit with a template that cannot be used, and case
reply/note with text that still holds a placeholder or template syntax — one line, exit 1, nothing written."""

from __future__ import annotations

from sqlalchemy import func, select

from agent_console.store import queries
from agent_console.store.models import CannedResponse, Message, OutboxOp


def count(store, model) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_canned_add_refuses_an_unknown_placeholder(cli, agents, store):
    result = cli("canned", "add", "nick", "--title", "Nick", "--body", "Hallo {{ customer.nickname }}")
    assert result.exit_code == 1
    assert "error: template error: line 1: unknown placeholder customer.nickname; known placeholders: " \
           "customer.first_name" in result.output
    assert "Traceback" not in result.output
    assert count(store, CannedResponse) == 0


def test_canned_add_and_edit_refuse_a_template_that_does_not_compile(cli, agents, store, tmp_path):
    body_file = tmp_path / "body.txt"
    body_file.write_text("Hallo {{ customer.first_name }},\n{% if customer.email %}Mail\n")
    added = cli("canned", "add", "mail", "--title", "Mail", "--body-file", str(body_file))
    assert added.exit_code == 1 and "template error: line 2: " in added.output
    assert cli("canned", "add", "hi", "--title", "Hi", "--body", "Hi {{ customer.first_name }}").exit_code == 0
    edited = cli("canned", "edit", "hi", "--body", "Hi {{ 1/0 }}")
    assert edited.exit_code == 1 and "ZeroDivisionError" in edited.output
    with store.session() as session:
        assert session.scalar(select(CannedResponse.body)) == "Hi {{ customer.first_name }}"


def test_case_reply_and_note_refuse_a_broken_placeholder_and_send_nothing(cli, agents, store):
    key = cli("case", "create", "--customer", "karl@example.de", "--channel", "email", "--queue", "Billing",
              "--subject", "Geld fehlt", "--body", "?").output.strip()
    messages, ops = count(store, Message), count(store, OutboxOp)
    reply = cli("--agent", "anna", "case", "reply", key, "Hallo ⟦unknown: customer.nickname⟧, bis bald")
    assert reply.exit_code == 1
    assert reply.output.strip() == ("error: not sent: line 1, column 7: the placeholder customer.nickname has "
                                    "no value: ⟦unknown: customer.nickname⟧")
    note = cli("--agent", "anna", "case", "note", key, "-", input="ok\nsee {{ customer.name }}\n")
    assert note.exit_code == 1 and "line 2, column 5: template syntax" in note.output
    assert (count(store, Message), count(store, OutboxOp)) == (messages, ops)
    assert cli("--agent", "anna", "case", "reply", key, "Hallo Karl, bis bald").exit_code == 0
    with store.session() as session:
        assert queries.thread(session, queries.case_by_key(session, key).id)[-1].body == "Hallo Karl, bis bald"
