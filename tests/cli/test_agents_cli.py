"""``agent-console agents deactivate | remove``: a deactivated agent cannot act and leaves every queue, their cases
stay; only an agent without history can be removed."""

from __future__ import annotations

import json

from agent_console.domain.cases import CaseService


def agents_json(cli) -> dict[str, dict]:
    return {a["login"]: a for a in json.loads(cli("agents", "list", "--json").output)}


def test_a_deactivated_agent_cannot_act_and_leaves_every_queue(cli, store, clock, agents):
    cli("queues", "add", "Billing")
    assert cli("agents", "add", "lena", "--name", "Lena", "--queues", "Billing").exit_code == 0
    service = CaseService(store, clock, None)
    case = service.create_case(customer="carla@example.com", channel="email", queue="Billing",
                               subject="Invoice twice", body="Charged twice.")
    assert cli("--agent", "lena", "case", "claim", case.key).exit_code == 0

    result = cli("agents", "deactivate", "lena")
    assert result.exit_code == 0, result.output
    assert "1 open case still assigned to lena" in result.output
    lena = agents_json(cli)["lena"]
    assert lena["active"] is False and lena["queues"] == []
    assert json.loads(cli("queues", "list", "--json").output)[0]["agents"] == 3  # anna, ben, sue; not lena

    refused = cli("--agent", "lena", "case", "list")
    assert refused.exit_code == 1 and "'lena' is deactivated" in refused.output
    shown = json.loads(cli("case", "show", case.key, "--json").output)
    assert shown["assignee"] == "lena"  # the case stays as it was

    released = cli("agents", "deactivate", "lena", "--release")
    assert released.exit_code == 0 and "1 open case back in their queues" in released.output
    assert json.loads(cli("case", "show", case.key, "--json").output)["assignee"] is None

    # Adding the login again activates the agent.
    assert cli("agents", "add", "lena", "--name", "Lena", "--queues", "Billing").exit_code == 0
    assert agents_json(cli)["lena"]["active"] is True
    assert cli("--agent", "lena", "case", "list").exit_code == 0


def test_remove_only_an_agent_without_history(cli, store, clock, agents):
    assert cli("agents", "add", "typo", "--name", "Added by mistake").exit_code == 0
    removed = cli("agents", "remove", "typo")
    assert removed.exit_code == 0, removed.output
    assert "typo" not in agents_json(cli)

    CaseService(store, clock, agents["anna"]).create_case(customer="carla@example.com", channel="email",
                                                          queue="Billing", subject="Hi", body="Hello")
    key = json.loads(cli("case", "list", "--json").output)[0]["key"]
    assert cli("--agent", "anna", "case", "claim", key).exit_code == 0
    refused = cli("agents", "remove", "anna")
    assert refused.exit_code == 1
    assert "anna has history" in refused.output and "agents deactivate anna" in refused.output
    assert "anna" in agents_json(cli)
    assert "no agent with login 'nobody'" in cli("agents", "remove", "nobody").output


def test_the_last_admin_is_neither_deactivated_nor_removed(cli, agents):
    """A floor keeps one active admin: the last cannot be deactivated or removed, one of two can."""
    assert cli("agents", "add", "root", "--name", "Floor Admin", "--role", "admin").exit_code == 0
    for command in ("deactivate", "remove"):
        refused = cli("agents", command, "root")
        assert refused.exit_code == 1 and "root is the last admin" in refused.output, refused.output
    assert agents_json(cli)["root"]["active"] is True

    assert cli("agents", "add", "second", "--name", "Second Admin", "--role", "admin").exit_code == 0
    assert cli("agents", "deactivate", "second").exit_code == 0
    # The deactivated one does not count: root is still the last active admin.
    assert "root is the last admin" in cli("agents", "deactivate", "root").output
    assert cli("agents", "add", "second", "--name", "Second Admin", "--role", "admin").exit_code == 0
    removed = cli("agents", "remove", "root")
    assert removed.exit_code == 0, removed.output
    assert "root" not in agents_json(cli)
