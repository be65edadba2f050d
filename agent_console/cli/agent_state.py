"""``agent-console state [available|break|offline]``: show or set your agent state."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _

SETTABLE = ("available", "break", "offline")


def register(app: typer.Typer) -> None:
    @app.command("state")
    def state(
        ctx: typer.Context,
        new_state: Optional[str] = typer.Argument(None, metavar="[available|break|offline]",
                                                  help="Set this state; without it, show today's states."),
        reason: str = typer.Option("", "--reason", help="Why (e.g. 'lunch', 'training')."),
        for_agent: Optional[str] = typer.Option(None, "--for", help="Supervisors: another agent's login."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Your agent state (available, handling, wrap-up, break, offline) and today's history."""
        from datetime import datetime, time
        from zoneinfo import ZoneInfo

        from agent_console.cli.report_options import display_zone
        from agent_console.domain.agent_states import set_agent_state, state_history
        from agent_console.domain.handling import HandlingError
        from agent_console.store.queries import NotFound, agent_by_login

        obj = ctx_obj(ctx)
        actor = obj.agent()
        agent = actor
        if for_agent:
            with obj.store().session() as session:
                try:
                    agent = agent_by_login(session, for_agent.strip())
                except NotFound as exc:
                    fail(str(exc))
        if new_state is not None:
            value = new_state.strip().lower()
            if value not in SETTABLE:
                fail(_("unknown state {new_state}; expected one of: {value} (handling and wrap-up come from "
                       "working cases)").format(new_state=repr(new_state), value=', '.join(SETTABLE)))
            try:
                agent = set_agent_state(obj.store(), obj.clock, agent, value, reason, actor=actor)
            except HandlingError as exc:
                fail(str(exc))
            console().print(_("{login} is {state}").format(login=agent.login, state=agent.state), markup=False)
            return
        zone = ZoneInfo(display_zone(obj.settings))
        now = obj.clock.now()
        midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
        periods = state_history(obj.store(), agent.id, midnight)
        if json_out:
            print_json({"login": agent.login, "state": agent.state,
                        "since": agent.state_since.isoformat() if agent.state_since else None,
                        "today": [{"state": p.state, "started_at": p.started_at.isoformat(),
                                   "ended_at": p.ended_at.isoformat() if p.ended_at else None, "reason": p.reason}
                                  for p in periods]})
            return
        from rich.text import Text

        from agent_console.cli.common import new_table

        since = _(" since {time}").format(
            time=f"{agent.state_since.astimezone(zone):%H:%M}") if agent.state_since else ""
        console().print(_("{login} is {state}{since}").format(
            login=agent.login, state=agent.state, since=since), markup=False)
        totals: dict[str, float] = {}
        for p in periods:
            start = max(p.started_at, midnight)
            totals[p.state] = totals.get(p.state, 0.0) + ((p.ended_at or now) - start).total_seconds()
        if totals:
            table = new_table(N_("state today"), N_("time"))
            for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
                s = int(seconds)
                table.add_row(Text(name), f"{s // 3600}:{(s % 3600) // 60:02d}:{s % 60:02d}")
            console().print(table)
