"""Escalation, follow-up, time-correction and SLA commands added to the ``case`` group.

``cli/case.py`` calls :func:`register_case_commands` on its group, so these read as ``agent-console case escalate …``.
"""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import Context, console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _


def _run(action):
    """Run a domain call; a broken rule or an unknown key becomes a clear error and exit code 1."""
    from agent_console.domain.cases import CaseError
    from agent_console.domain.escalation import EscalationError
    from agent_console.domain.handling import HandlingError
    from agent_console.store.queries import NotFound

    try:
        return action()
    except (CaseError, EscalationError, HandlingError, NotFound) as exc:
        fail(str(exc))


def _escalation_service(obj: Context):
    from agent_console.domain.escalation import EscalationService

    return EscalationService(obj.store(), obj.clock, obj.agent(), follow_up_hours=obj.settings.follow_up_hours)


def _case(obj: Context, key: str):
    from agent_console.store import queries

    with obj.store().session() as session:
        return _run(lambda: queries.case_by_key(session, key.strip()))


def _when(value, zone) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else "—"


def _zone(obj: Context):
    from zoneinfo import ZoneInfo

    from agent_console.cli.report_options import display_zone

    return ZoneInfo(display_zone(obj.settings))


def register_case_commands(group: typer.Typer) -> None:
    @group.command("escalate")
    def escalate(
        ctx: typer.Context,
        key: str = typer.Argument(..., help="The case key."),
        tier: Optional[int] = typer.Option(None, "--tier", help="Escalate to tier 2 or 3."),
        queue: Optional[str] = typer.Option(None, "--queue", help="Hand the case to another queue."),
        reason: str = typer.Option(..., "--reason", help="Why (required; stays on the case)."),
    ) -> None:
        """Hand a case on to a higher tier and/or another queue; you get a follow-up to check back later."""
        obj = ctx_obj(ctx)
        service = _escalation_service(obj)
        row = _run(lambda: service.escalate(key.strip(), to_tier=tier, to_queue=queue, reason=reason))
        if tier and queue:
            message = _("{case} escalated to tier {tier} and queue {queue}; follow-up due in {hours} h")
        elif queue:
            message = _("{case} escalated to queue {queue}; follow-up due in {hours} h")
        else:
            message = _("{case} escalated to tier {tier}; follow-up due in {hours} h")
        console().print(message.format(case=key.strip(), tier=row.to_tier, queue=row.to_queue,
                                       hours=obj.settings.follow_up_hours), markup=False)

    @group.command("deescalate")
    def deescalate(
        ctx: typer.Context,
        key: str = typer.Argument(..., help="The case key."),
        reason: str = typer.Option(..., "--reason", help="Why (required)."),
    ) -> None:
        """Return an escalated case to tier 1."""
        service = _escalation_service(ctx_obj(ctx))
        _run(lambda: service.deescalate(key.strip(), reason))
        console().print(_("{value} back to tier 1").format(value=key.strip()), markup=False)

    @group.command("follow-ups")
    def follow_ups(
        ctx: typer.Context,
        due: bool = typer.Option(False, "--due", help="Only follow-ups that are due now."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Your open follow-ups: cases you escalated, to check with the customer that all is solved."""
        from agent_console.domain.escalation import follow_up_rows

        obj = ctx_obj(ctx)
        agent = obj.agent()
        now = obj.clock.now()
        with obj.store().session() as session:
            rows = follow_up_rows(session, agent.id, due_before=now if due else None)
        if json_out:
            print_json([{**row, "due_at": row["due_at"].isoformat(), "created_at": row["created_at"].isoformat(),
                         "is_due": row["due_at"] <= now} for row in rows])
            return
        if not rows:
            console().print(_("no follow-ups due") if due else _("no open follow-ups"))
            return
        from rich.text import Text

        from agent_console.cli.common import new_table

        zone = _zone(obj)
        table = new_table(N_("id"), N_("case"), N_("subject"), N_("due"), "")
        for row in rows:
            table.add_row(str(row["id"]), row["case_key"], Text(row["subject"]), _when(row["due_at"], zone),
                          Text(_("due"), style="bold yellow") if row["due_at"] <= now else "")
        console().print(table)

    @group.command("follow-up-done")
    def follow_up_done(
        ctx: typer.Context,
        follow_up_id: int = typer.Argument(..., help="The follow-up's id (see `case follow-ups`)."),
        note: str = typer.Option("", "--note", help="What the customer said."),
    ) -> None:
        """Mark a follow-up done."""
        service = _escalation_service(ctx_obj(ctx))
        _run(lambda: service.complete_follow_up(follow_up_id, note))
        console().print(_("follow-up {follow_up_id} done").format(follow_up_id=follow_up_id), markup=False)

    @group.command("correct-time")
    def correct_time_command(
        ctx: typer.Context,
        key: str = typer.Argument(..., help="The case key."),
        seconds: float = typer.Option(..., "--seconds", help="Seconds to add (negative to remove)."),
        reason: str = typer.Option(..., "--reason", help="Why (required; audited)."),
        kind: str = typer.Option("handle", "--kind", help="handle or wrap_up."),
        for_agent: Optional[str] = typer.Option(None, "--for", help="The agent whose time it is (login)."),
    ) -> None:
        """Supervisors: correct a case's handling time with a reason (audited; counts in AHT)."""
        from agent_console.domain.handling import correct_time, handling_summary
        from agent_console.store.queries import agent_by_login

        obj = ctx_obj(ctx)
        supervisor = obj.agent()
        case = _case(obj, key)
        agent_id = None
        if for_agent:
            with obj.store().session() as session:
                agent_id = _run(lambda: agent_by_login(session, for_agent.strip())).id
        if kind not in ("handle", "wrap_up"):
            fail(_("--kind: expected handle or wrap_up, not {kind}").format(kind=repr(kind)))
        _run(lambda: correct_time(obj.store(), obj.clock, case.id, seconds, reason, supervisor, kind=kind,
                                  agent_id=agent_id))
        total = handling_summary(obj.store(), case.id)["total"]
        console().print(_("{key}: {seconds:+.0f} s recorded; handling time now {total:.0f} s").format(
            key=case.key, seconds=seconds, total=total), markup=False)

    @group.command("history")
    def history(
        ctx: typer.Context,
        key: str = typer.Argument(..., help="The case key."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Escalations, SLA events and handling time of a case."""
        from agent_console.domain.escalation import case_history
        from agent_console.domain.handling import handling_summary
        from agent_console.store.accounts import logins_by_id
        from agent_console.store.case_history import follow_ups_of, sla_events_of

        obj = ctx_obj(ctx)
        case = _case(obj, key)
        with obj.store().session() as session:
            logins = logins_by_id(session)
            escalations = case_history(session, case.id)
            events = sla_events_of(session, case.id)
            follow_ups = follow_ups_of(session, case.id)
        summary = handling_summary(obj.store(), case.id)
        if json_out:
            print_json({
                "key": case.key, "tier": case.tier, "queue": case.queue, "status": case.status,
                "escalations": [{"kind": e.kind, "from_tier": e.from_tier, "to_tier": e.to_tier,
                                 "from_queue": e.from_queue, "to_queue": e.to_queue, "reason": e.reason,
                                 "from_agent": logins.get(e.from_agent_id), "by": logins.get(e.created_by_id),
                                 "at": e.created_at.isoformat()} for e in escalations],
                "sla_events": [{"target": e.target, "event": e.event, "at": e.at.isoformat(),
                                "due_at": e.due_at.isoformat() if e.due_at else None, "detail": e.detail}
                               for e in events],
                "follow_ups": [{"id": f.id, "agent": logins.get(f.agent_id), "due_at": f.due_at.isoformat(),
                                "done_at": f.done_at.isoformat() if f.done_at else None, "note": f.note}
                               for f in follow_ups],
                "handling_s": summary,
            })
            return
        from rich.text import Text

        zone = _zone(obj)
        out = console()
        out.print(Text(_("{key} · tier {tier} · {queue} · {status}").format(
            key=case.key, tier=case.tier, queue=case.queue, status=case.status), style="bold"))
        out.print(Text(_("handling {handle:.0f} s · wrap-up {wrap_up:.0f} s · corrections {corrections:+.0f} s · "
                         "total {total:.0f} s").format(
            handle=summary['handle'], wrap_up=summary['wrap_up'], corrections=summary['corrections'], total=summary['total'])))
        for e in escalations:
            if e.from_tier != e.to_tier:
                target = _("tier {old}→{new}").format(old=e.from_tier, new=e.to_tier)
            else:
                target = _("tier {tier}").format(tier=e.to_tier)
            if e.from_queue != e.to_queue:
                target += f", {e.from_queue}→{e.to_queue}"
            out.print(Text(_("{at}  {kind}: {target} by {by} — {reason}").format(
                at=_when(e.created_at, zone), kind=e.kind, target=target, by=logins.get(e.created_by_id, _("rule")),
                reason=e.reason)))
        for f in follow_ups:
            if f.done_at:
                text = _("follow-up {id} for {agent}: done {at} {note}")
            else:
                text = _("follow-up {id} for {agent}: due {at} {note}")
            out.print(Text(text.format(id=f.id, agent=logins.get(f.agent_id), at=_when(f.done_at or f.due_at, zone),
                                       note=f.note)))
        for e in events:
            if e.due_at:
                line = _("{at}  SLA {target} {event} (due {due}) ").format(at=_when(e.at, zone), target=e.target,
                                                                          event=e.event, due=_when(e.due_at, zone))
            else:
                line = _("{at}  SLA {target} {event} ").format(at=_when(e.at, zone), target=e.target, event=e.event)
            out.print(Text(line) + Text(e.detail, style="dim"))

    @group.command("sla-sweep")
    def sla_sweep(ctx: typer.Context) -> None:
        """Record SLA breaches now and apply automatic escalation (the console and server do this continuously)."""
        from agent_console.domain.sla_monitor import SlaSweeper

        obj = ctx_obj(ctx)
        result = SlaSweeper(obj.store(), obj.clock).run_once()
        if not result.breaches:
            console().print(_("no new breaches"))
        for breach in result.breaches:
            escalated = " → escalated" if breach.escalated else ""
            console().print(_("{case_key} {value} breached (due {due_at:%Y-%m-%d %H:%M:%S} UTC){escalated}").format(
                case_key=breach.case_key, value=breach.target.replace('_', ' '), due_at=breach.due_at, escalated=escalated), markup=False)
