"""``agent-console cti event | missed | called-back``: call events from the telephone system on this store, and the
missed calls to call back. The team server takes the same events at ``POST /api/v1/cti/events`` (docs/phone.md)."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json


def _call_json(call, customer, case, answered_by, called_back_by) -> dict:
    from agent_console.domain.calls import call_times

    times = call_times(call)
    return {"call_id": call.call_id, "uid": call.uid, "direction": call.direction, "number": call.number,
            "withheld": call.withheld, "from": call.from_number, "to": call.to_number, "queue": call.queue,
            "ringing": [name for name in call.ringing.split(",") if name],
            "customer": customer.name if customer else None, "customer_uid": customer.uid if customer else None,
            "case": case.key if case else None,
            "answered_by": answered_by.login if answered_by else None,
            "first_seen_at": call.first_seen_at.isoformat(),
            "started_at": call.started_at.isoformat() if call.started_at else None,
            "answered_at": call.answered_at.isoformat() if call.answered_at else None,
            "ended_at": call.ended_at.isoformat() if call.ended_at else None,
            "cause": call.cause, "missed": call.missed, "ring_seconds": times.ring_seconds,
            "talk_seconds": times.talk_seconds,
            "called_back_at": call.called_back_at.isoformat() if call.called_back_at else None,
            "called_back_by": called_back_by.login if called_back_by else None}


def call_rows(session, calls) -> list[dict]:
    """The calls as JSON objects (customer, case and agents by name)."""
    from agent_console.store.models import Agent, Case, Customer

    def get(model, row_id):
        return session.get(model, row_id) if row_id is not None else None

    return [_call_json(call, get(Customer, call.customer_id), get(Case, call.case_id),
                       get(Agent, call.answered_by_id), get(Agent, call.called_back_by_id)) for call in calls]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Call events from the telephone system (CTI) and the missed calls to call back.",
                        no_args_is_help=True)

    @group.command("event")
    def event(
        ctx: typer.Context,
        event_name: str = typer.Option(..., "--event", help="newCall, answer or hangup."),
        call_id: str = typer.Option(..., "--call-id", help="The telephone system's id of the call."),
        from_number: str = typer.Option("", "--from", help="The caller's number (anonymous when withheld)."),
        to_number: str = typer.Option("", "--to", help="The number called."),
        direction: str = typer.Option("in", "--direction", help="in or out."),
        users: Optional[list[str]] = typer.Option(None, "--user",
                                                  help="An agent's login or extension the call rings for "
                                                       "(repeatable); on answer, who answered."),
        queue: Optional[str] = typer.Option(None, "--queue", help="The queue the call waits in."),
        cause: Optional[str] = typer.Option(None, "--cause",
                                            help="Why it ended (hangup): normalClearing, busy, cancel, noAnswer, "
                                                 "congestion, notFound, forwarded."),
        answering_number: Optional[str] = typer.Option(None, "--answering-number",
                                                       help="The number that answered."),
        json_out: bool = typer.Option(False, "--json", help="Print the call as JSON."),
    ) -> None:
        """Record a call event on this store (idempotent by call id and event; any order)."""
        from agent_console.domain.calls import CallEventError, parse_event, record_event

        obj = ctx_obj(ctx)
        _ = obj.settings  # the default_region setting
        values = {"event": event_name, "callId": call_id, "from": from_number, "to": to_number,
                  "direction": direction, "user": list(users or []), "queue": queue, "cause": cause,
                  "answeringNumber": answering_number}
        try:
            parsed = parse_event(values)
        except CallEventError as exc:
            fail(f"--{_OPTION.get(exc.field, exc.field)}: {str(exc).split(': ', 1)[1]}")
        store = obj.store()
        with store.transaction() as session:
            recorded = record_event(session, obj.clock, parsed)
            row = call_rows(session, [recorded.call])[0]
        if json_out:
            print_json({**row, "applied": recorded.applied})
            return
        from rich.text import Text

        from agent_console.i18n import _

        state = (_("missed") if row["missed"] else _("ended") if row["ended_at"] else
                 _("talking") if row["answered_at"] else _("ringing"))
        message = (_("call {call_id}: {state}") if recorded.applied
                   else _("call {call_id}: {state} (event known already)"))
        line = Text(message.format(call_id=row["call_id"], state=state))
        if row["customer"]:
            line.append(" · ")
            line.append(row["customer"])
        if row["case"]:
            line.append(f" · {row['case']}")
        console().print(line)

    @group.command("missed")
    def missed(
        ctx: typer.Context,
        everything: bool = typer.Option(False, "--all", help="Also the calls already called back."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """The missed calls to call back, newest first."""
        from agent_console.store.call_queries import missed_calls

        store = ctx_obj(ctx).store()
        with store.session() as session:
            rows = call_rows(session, missed_calls(session, include_called_back=everything))
        if json_out:
            print_json(rows)
            return
        from agent_console.i18n import _

        if not rows:
            console().print(_("no missed calls to call back"))
            return
        from datetime import datetime

        from rich.text import Text

        from agent_console.cli.common import new_table
        from agent_console.formatting import date_time

        def when(value: str | None) -> str:
            return date_time(datetime.fromisoformat(value)) if value else ""

        headers = [_("ended"), _("number"), _("customer"), _("case"), _("cause")]
        table = new_table(*headers + ([_("called back")] if everything else []))
        table.columns[1].no_wrap = True
        table.columns[1].min_width = 16
        for row in rows:
            cells = [when(row["ended_at"]),
                     Text(row["number"] or (_("withheld") if row["withheld"] else row["from"])),
                     Text(row["customer"] or _("unknown")), row["case"] or "", row["cause"] or ""]
            if everything:
                cells.append(when(row["called_back_at"]))
            table.add_row(*cells)
        console().print(table)

    @group.command("called-back")
    def called_back(ctx: typer.Context, call_id: str = typer.Argument(..., help="The call id of the missed call.")
                    ) -> None:
        """Mark a missed call as called back (it leaves the call-back list)."""
        from agent_console.domain.calls import CallEventError, mark_called_back

        obj = ctx_obj(ctx)
        agent = obj.agent(required=False)
        with obj.store().transaction() as session:
            try:
                call = mark_called_back(session, obj.clock, call_id, agent)
            except CallEventError as exc:
                fail(str(exc).split(": ", 1)[1])
            number = call.number or call.from_number
        from rich.text import Text

        from agent_console.i18n import _

        console().print(Text(_("call {call_id} from {number} marked as called back").format(call_id=call_id,
                                                                                           number=number)))

    app.add_typer(group, name="cti")


#: A field of the generic format -> the option that gives it.
_OPTION = {"callId": "call-id", "answeringNumber": "answering-number", "user": "user"}
