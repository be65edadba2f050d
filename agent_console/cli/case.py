"""``agent-console case …``: the agent's case actions from the shell (for scripts, phone systems, mail gateways).

Every command calls ``CaseService`` — the same implementation the screens use — acting as ``--agent LOGIN``.
"""

from __future__ import annotations

import sys
from typing import Optional

import typer

from agent_console.cli.common import Context, console, ctx_obj, echo, fail, print_json
from agent_console.i18n import N_, _

VIEWS = ("mine", "unassigned", "open", "all")


def _service(obj: Context, *, agent_required: bool = True):
    from agent_console.domain.cases import CaseService
    from agent_console.sync.mail_role import reply_sender

    agent = obj.agent(required=agent_required)
    store = obj.store()
    return CaseService(store, obj.clock, agent, mail_from=reply_sender(store, obj.settings.mail_from))


def _run(action):
    """Run a service call; a rule violation or an unknown key becomes a clear error and exit code 1."""
    from agent_console.domain.cases import CaseError
    from agent_console.store.queries import NotFound

    try:
        return action()
    except (CaseError, NotFound) as exc:
        fail(str(exc))


def _read_text(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


def _fast_reader(obj: Context):
    """A sqlite3 connection for the fast read path (no SQLAlchemy, no ORM models), or None for the ORM path."""
    from agent_console.store import fast_read

    return fast_read.open_at_head(obj.db_path)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Work cases from the shell: create, list, show, claim, reply, resolve …",
                        no_args_is_help=True)

    @group.command("create")
    def create(
        ctx: typer.Context,
        customer: str = typer.Option(..., "--customer", help="The customer's e-mail address or phone number."),
        channel: str = typer.Option(..., "--channel", help="phone, email, chat, social, messenger, web, onsite."),
        queue: str = typer.Option(..., "--queue", help="The queue the case goes to."),
        subject: str = typer.Option(..., "--subject", help="One line: what it is about."),
        body: str = typer.Option(..., "--body", help="The customer's first message ('-' reads stdin)."),
        priority: str = typer.Option("normal", "--priority", help="urgent, high, normal or low."),
        name: Optional[str] = typer.Option(None, "--name", help="The customer's name (for a new customer)."),
        call: Optional[str] = typer.Option(None, "--call", metavar="CALL_ID",
                                           help="The call (its call id) the case is for: attached to the case."),
    ) -> None:
        """Open a new case for a customer (found by e-mail/phone, created when unknown); prints its key."""
        from agent_console.domain.new_case import create_case_for_call

        obj = ctx_obj(ctx)
        service = _service(obj, agent_required=False)
        case = _run(lambda: create_case_for_call(service, call, customer=customer, channel=channel, queue=queue,
                                                 subject=subject, body=_read_text(body), priority=priority,
                                                 customer_name=name))
        echo(case.key)

    @group.command("list")
    def list_(
        ctx: typer.Context,
        view: str = typer.Option("open", "--view", help="mine, unassigned, open (all open cases) or all."),
        queue: Optional[str] = typer.Option(None, "--queue", help="Only this queue."),
        channel: Optional[str] = typer.Option(None, "--channel", help="Only this channel."),
        limit: int = typer.Option(50, "--limit", min=1, help="At most this many cases (most urgent first)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """List cases, most urgent SLA first."""
        from agent_console.cli.case_json import list_items, read_list_fast
        from agent_console.domain.sla import SLA_STYLE, SLA_SYMBOL, format_remaining, row_countdown

        obj = ctx_obj(ctx)
        if view not in VIEWS:
            fail(_("unknown view {view}; expected one of: {value}").format(view=repr(view), value=', '.join(VIEWS)))
        now = obj.clock.now()
        # The JSON of a view that needs no acting agent is read without the ORM (start-up time, see fast_read).
        reader = _fast_reader(obj) if json_out and view != "mine" and not obj.agent_login() else None
        if reader is not None:
            ids, rows, policies = read_list_fast(reader, view=view, queue=queue, channel=channel, limit=limit)
        else:
            from agent_console.store import queries
            from agent_console.store.queries import QueueView

            agent = obj.agent(required=view == "mine")
            with obj.store().session() as session:
                ids = queries.queue_case_ids(session, QueueView(view=view, agent_id=agent.id if agent else None,
                                                                queue=queue, channel=channel))[:limit]
                rows = queries.queue_rows(session, ids)
                policies = queries.all_policies(session)
        ordered, result = list_items(ids, rows, policies, now)
        if json_out:
            print_json(result)
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=True)
        table.add_column(_("key"), no_wrap=True, min_width=9)
        table.add_column(_("prio"), no_wrap=True)
        from agent_console.cli.common import header_min_width

        # At 80 columns no header breaks inside a word; short vocabulary values are cut with "…" rather than
        # broken, free text wraps between words.
        for title in (N_("channel"), N_("queue"), N_("customer"), N_("subject"), N_("status"), N_("assignee")):
            free_text = title in ("customer", "subject")
            header = _(title)
            table.add_column(header, min_width=header_min_width(header),
                             overflow="fold" if free_text else "ellipsis")
        table.add_column(_("SLA"), no_wrap=True)
        for item, row in zip(result, ordered):
            countdown = row_countdown(row, policies, now)
            table.add_row(item["key"], item["priority"], item["channel"], Text(item["queue"]),
                          Text(item["customer"]), Text(item["subject"]), item["status"],
                          Text(item["assignee"] or "—"),
                          Text(f"{SLA_SYMBOL[countdown.state]} {format_remaining(countdown.remaining_s)}",
                               style=SLA_STYLE[countdown.state]))
        console().print(table)
        if not result:
            console(stderr=True).print(_("no cases"))

    @group.command("show")
    def show(ctx: typer.Context, key: str = typer.Argument(..., help="The case key, e.g. AC-000042."),
             json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """A case with its customer, assignee, status, SLA and every message."""
        from agent_console.call_lines import call_line
        from agent_console.cli.case_json import read_show_fast, show_data
        from agent_console.domain.sla import SLA_STYLE, SLA_SYMBOL, case_countdown, format_remaining, running_targets

        obj = ctx_obj(ctx)
        now = obj.clock.now()
        reader = _fast_reader(obj) if json_out else None
        header_lines: list[str] = []
        if reader is not None:
            from agent_console.store import fast_read

            try:
                (case, customer, assignee, messages, policy, escalations, follow_ups,
                 mail_states, calls, merge, attachments) = read_show_fast(reader, key)
            except fast_read.CaseNotFound as exc:
                fail(str(exc))
            countdown = case_countdown(case, policy, now)
            targets = running_targets(case, policy, now)
        else:
            from agent_console.store import mail_outbox, queries
            from agent_console.store.mail_receipts import attachments_by_message
            from agent_console.store.call_queries import case_call_rows
            from agent_console.cli.case_merge import case_header_lines, case_merge_state
            from agent_console.store.models import Agent, Customer

            with obj.store().session() as session:
                case = _run(lambda: queries.case_by_key(session, key.strip()))
                customer = session.get(Customer, case.customer_id)
                assignee = session.get(Agent, case.assignee_id) if case.assignee_id else None
                policy = queries.policy_for(session, case.channel, case.priority)
                messages = queries.thread(session, case.id)
                escalations = queries.case_escalations(session, case.id)
                follow_ups = queries.case_follow_ups(session, case.id)
                mail_states = mail_outbox.mail_states(session, [m.id for m in messages])
                attachments = attachments_by_message(session, [m.id for m in messages])
                calls = case_call_rows(session, case.id)
                header_lines = case_header_lines(session, case, now)
                merge = case_merge_state(session, case)
                countdown = case_countdown(case, policy, now)
                targets = running_targets(case, policy, now)
        data = show_data(case, customer, assignee, messages, countdown, targets, escalations, follow_ups, mail_states,
                         calls, merge, attachments)
        if json_out:
            print_json(data)
            return
        from rich.text import Text

        from agent_console.widgets.thread_view import LABEL, attachment_text, message_kind

        out = console()
        out.print(Text(f"{case.key}  ", style="bold") + Text(case.subject, style="bold"))
        contact = customer.email or customer.phone or ""
        out.print(Text(_("customer  {name}  {contact}").format(name=customer.name, contact=contact)
                       + ("  VIP" if customer.vip else "")))
        out.print(Text(_("status {status} · priority {priority} · channel {channel} · queue {queue} · tier {tier} · "
                         "assignee {assignee} · contacts {contacts}").format(
            status=case.status, priority=case.priority, channel=case.channel, queue=case.queue, tier=case.tier,
            assignee=assignee.login if assignee else _("unassigned"), contacts=case.contact_count)))
        for line in header_lines:
            out.print(Text(line))
        if data["help_articles"]:
            out.print(Text(_("read on the help center before writing: {articles}").format(
                articles=", ".join(f"{a['title']} ({a['slug']})" for a in data["help_articles"]))))
        sla_line = Text(_("SLA") + " ")
        for t in targets:
            sla_line.append(_("{symbol} {target} due {due} UTC ({remaining})").format(
                symbol=SLA_SYMBOL[t.state], target=t.target, due=f"{t.due_at:%Y-%m-%d %H:%M}",
                remaining=format_remaining(t.remaining_s) or t.state) + "  ", style=SLA_STYLE[t.state])
        if not targets:
            sla_line.append(_("no running target"))
        out.print(sla_line)
        for m in messages:
            out.print()
            line = Text(f"{_(LABEL[message_kind(m)])} ", style="bold") + Text(
                _("{author} · {at} UTC · {channel}").format(author=m.author_name or "—",
                                                           at=f"{m.created_at:%Y-%m-%d %H:%M}", channel=m.channel))
            mail = mail_states.get(m.id)
            if mail is not None:
                from agent_console.domain.mail_state import mail_state_text

                line += Text(" · ") + Text(mail_state_text(mail.state, mail.last_error),
                                          style="bold red" if mail.state == "failed" else "")
            out.print(line)
            out.print(Text(m.body))
            for name, content_type, size, omitted in attachments.get(m.id, ()):
                out.print(attachment_text(name, content_type, size, omitted))

        for row in escalations:
            out.print(Text(_("escalated {at} UTC · T{from_tier} {from_queue} → T{to_tier} {to_queue} · by {by} · "
                             "{reason}").format(at=f"{row['created_at']:%Y-%m-%d %H:%M}", from_tier=row["from_tier"],
                                                from_queue=row["from_queue"], to_tier=row["to_tier"],
                                                to_queue=row["to_queue"], by=row["by_login"] or _("system"),
                                                reason=row["reason"])))
        for row in follow_ups:
            due = f"{row['due_at']:%Y-%m-%d %H:%M}"
            if row["done_at"]:
                text = _("follow-up due {due} UTC · done · {agent}").format(due=due, agent=row["agent_login"])
            else:
                text = _("follow-up due {due} UTC · open · {agent}").format(due=due, agent=row["agent_login"])
            out.print(Text(text))
        for call in data["calls"]:
            out.print(Text(call_line(call)))

    def simple(name: str, method: str, done: str, help_text: str):
        @group.command(name, help=help_text)
        def command(ctx: typer.Context, key: str = typer.Argument(..., help="The case key.")) -> None:
            service = _service(ctx_obj(ctx))
            case = _run(lambda: getattr(service, method)(key.strip()))
            echo(_(done).format(case=case.key))

        return command

    simple("claim", "claim", N_("{case} claimed"), "Take the case: you become its assignee.")
    simple("release", "release", N_("{case} released"), "Give the case back to the queue.")
    simple("resolve", "resolve", N_("{case} resolved"), "Resolve the case (stops its SLA clocks).")
    simple("reopen", "reopen", N_("{case} reopened"), "Reopen a resolved or closed case.")

    def write(name: str, method: str, help_text: str):
        @group.command(name, help=help_text)
        def command(ctx: typer.Context, key: str = typer.Argument(..., help="The case key."),
                    text: str = typer.Argument(..., help="The text ('-' reads stdin).")) -> None:
            from agent_console.domain.outgoing import check_outgoing, not_sent

            body = _read_text(text)
            problems = check_outgoing(body)
            if problems:
                fail(not_sent(problems))
            service = _service(ctx_obj(ctx))
            _run(lambda: getattr(service, method)(key.strip(), body))
            done = _("{case} reply sent") if method == "reply" else _("{case} note added")
            echo(done.format(case=key.strip()))

        return command

    write("reply", "reply", "Reply to the customer.")
    write("note", "note", "Add an internal note (colleagues only).")

    def field(name: str, method: str, metavar: str, help_text: str):
        @group.command(name, help=help_text)
        def command(ctx: typer.Context, key: str = typer.Argument(..., help="The case key."),
                    value: str = typer.Argument(..., metavar=metavar)) -> None:
            service = _service(ctx_obj(ctx))
            case = _run(lambda: getattr(service, method)(key.strip(), value))
            echo(f"{case.key} {name} {getattr(case, name)}")

        return command

    field("status", "set_status", "STATUS", "Set the status: new, open, pending, escalated, resolved, closed.")
    field("priority", "set_priority", "PRIORITY", "Set the priority: urgent, high, normal, low.")
    field("queue", "set_queue", "QUEUE", "Move the case to another queue.")

    from agent_console.cli.case_search import register_search

    register_search(group)
    from agent_console.cli.case_merge import register_merge_commands

    register_merge_commands(group)
    from agent_console.cli.case_survey import register_survey_commands

    register_survey_commands(group)
    _register_extensions(group)
    app.add_typer(group, name="case")


def _register_extensions(group: typer.Typer) -> None:
    """Commands other parts add to the ``case`` group (escalation, follow-ups, time corrections)."""
    import importlib

    try:
        module = importlib.import_module("agent_console.cli.case_escalation")
    except ModuleNotFoundError as exc:
        if exc.name == "agent_console.cli.case_escalation":
            return
        raise
    module.register_case_commands(group)
