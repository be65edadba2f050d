"""``agent-console agents add | set | list | deactivate | remove``."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _, ngettext


def deactivation_message(noun: str, login: str, open_cases: int, release: bool, release_command: str) -> str:
    """What `agents deactivate` and `server users deactivate` say: who, and where their open cases are now."""
    if noun == "account":
        message = _("deactivated account {login}").format(login=login)
    else:
        message = _("deactivated agent {login}").format(login=login)
    if open_cases and release:
        message += "; " + ngettext("{count} open case back in their queues, unassigned",
                                   "{count} open cases back in their queues, unassigned", open_cases).format(
            count=open_cases)
    elif open_cases:
        message += "; " + ngettext(
            "{count} open case still assigned to {login} (`{command}` hands them back to their queues)",
            "{count} open cases still assigned to {login} (`{command}` hands them back to their queues)",
            open_cases).format(count=open_cases, login=login, command=release_command)
    return message


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Manage the agents of this store.", no_args_is_help=True)

    @group.command("add")
    def add(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="Login name (unique)."),
        name: str = typer.Option(..., "--name", help="Display name."),
        role: str = typer.Option("agent", "--role", help="agent, supervisor or admin."),
        tier: int = typer.Option(1, "--tier", min=1, max=3, help="Support tier 1–3."),
        queues: str = typer.Option("", "--queues", help="Comma-separated queues (empty: all)."),
        skills: str = typer.Option("", "--skills", help="Comma-separated skills / languages."),
        extension: Optional[str] = typer.Option(None, "--extension",
                                                help="The agent's telephone extension (call events name it)."),
    ) -> None:
        """Add an agent (or update the one with this login)."""
        from agent_console.domain.agents import AgentError, upsert_agent

        obj = ctx_obj(ctx)
        store = obj.store()
        try:
            agent, created = upsert_agent(store, obj.clock, login=login, name=name, role=role, tier=tier,
                                          queues=queues, skills=skills, extension=extension)
        except AgentError as exc:
            fail(str(exc))
        message = _("added agent {login} ({role}, tier {tier})") if created else _("updated agent {login} ({role}, tier {tier})")
        console().print(message.format(login=agent.login, role=agent.role, tier=agent.tier))

    @group.command("set")
    def set_(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="The agent's login."),
        extension: str = typer.Option(..., "--extension",
                                      help="The agent's telephone extension; empty (\"\") removes it."),
    ) -> None:
        """Map the agent's telephone extension: call events that ring for it ring for the agent."""
        from agent_console.domain.agents import AgentError, set_extension

        obj = ctx_obj(ctx)
        try:
            agent = set_extension(obj.store(), obj.clock, login, extension)
        except AgentError as exc:
            fail(str(exc))
        from rich.text import Text

        from agent_console.i18n import _

        message = (_("agent {login}: extension {extension}") if agent.extension
                   else _("agent {login}: no extension"))
        console().print(Text(message.format(login=agent.login, extension=agent.extension)))

    @group.command("deactivate")
    def deactivate(
        ctx: typer.Context,
        login: str = typer.Argument(..., help="The agent's login."),
        release: bool = typer.Option(False, "--release", help="Put the agent's open cases back into their queues, "
                                                              "unassigned."),
    ) -> None:
        """The agent can no longer log in and leaves every queue; their cases and history stay. `agents add LOGIN …`
        activates them again."""
        from agent_console.domain.agents import AgentError, deactivate_agent

        obj = ctx_obj(ctx)
        try:
            open_cases = deactivate_agent(obj.store(), obj.clock, login, release=release)
        except AgentError as exc:
            fail(str(exc))
        console().print(deactivation_message("agent", login, open_cases, release,
                                             f"agents deactivate {login} --release"))

    @group.command("remove")
    def remove(ctx: typer.Context, login: str = typer.Argument(..., help="The agent's login.")) -> None:
        """Delete an agent with no history (e.g. added by mistake). An agent who has worked cases is refused:
        deactivate them instead, so reports keep their figures."""
        from agent_console.domain.agents import AgentError, remove_agent

        obj = ctx_obj(ctx)
        try:
            remove_agent(obj.store(), obj.clock, login)
        except AgentError as exc:
            fail(str(exc))
        console().print(_("removed agent {login}").format(login=login))

    @group.command("list")
    def list_(ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
              role: Optional[str] = typer.Option(None, "--role", help="Only this role.")) -> None:
        """List agents with role, tier, queues and current state."""
        from agent_console.store.accounts import all_accounts

        store = ctx_obj(ctx).store()
        with store.session() as session:
            agents = all_accounts(session, role)
        if json_out:
            print_json([{"login": a.login, "name": a.name, "role": a.role, "tier": a.tier, "queues": a.queue_list(),
                         "skills": a.skills, "state": a.state, "active": a.active,
                         "extension": a.extension} for a in agents])
            return
        from rich.text import Text

        from agent_console.cli.common import new_table

        table = new_table(N_("login"), N_("name"), N_("role"), N_("tier"), N_("queues"), N_("state"))
        for a in agents:
            table.add_row(Text(a.login), Text(a.name), a.role, str(a.tier),
                          Text(a.queues or _("all")) if a.active else "—", a.state if a.active else _("deactivated"))
        console().print(table)

    app.add_typer(group, name="agents")
