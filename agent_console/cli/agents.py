"""``agent-console agents add | list``."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json


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
    ) -> None:
        """Add an agent (or update the one with this login)."""
        from agent_console.domain.agents import AgentError, upsert_agent

        obj = ctx_obj(ctx)
        store = obj.store()
        try:
            agent, created = upsert_agent(store, obj.clock, login=login, name=name, role=role, tier=tier,
                                          queues=queues, skills=skills)
        except AgentError as exc:
            fail(str(exc))
        console().print(f"{'added' if created else 'updated'} agent {agent.login} ({agent.role}, tier {agent.tier})")

    @group.command("list")
    def list_(ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
              role: Optional[str] = typer.Option(None, "--role", help="Only this role.")) -> None:
        """List agents with role, tier, queues and current state."""
        from sqlalchemy import select

        from agent_console.store.models import Agent

        store = ctx_obj(ctx).store()
        with store.session() as session:
            query = select(Agent).order_by(Agent.login)
            if role:
                query = query.where(Agent.role == role)
            agents = session.scalars(query).all()
        if json_out:
            print_json([{"login": a.login, "name": a.name, "role": a.role, "tier": a.tier, "queues": a.queue_list(),
                         "skills": a.skills, "state": a.state, "active": a.active} for a in agents])
            return
        from rich.table import Table
        from rich.text import Text

        table = Table("login", "name", "role", "tier", "queues", "state")
        for a in agents:
            table.add_row(Text(a.login), Text(a.name), a.role, str(a.tier), Text(a.queues or "all"), a.state)
        console().print(table)

    app.add_typer(group, name="agents")
