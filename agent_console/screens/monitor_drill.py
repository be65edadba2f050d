"""Drill-down from the monitor: the cases behind a figure, one case, and the supervisor's actions on them."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from agent_console.domain import monitor as live
from agent_console.domain.monitor import Drill
from agent_console.domain.text import one_line
from agent_console.formatting import number
from agent_console.i18n import N_, _, ngettext
from agent_console.widgets.text import safe_text
from agent_console.screens.bindings import TranslatedBindings, bindings_for
from agent_console.screens.monitor_common import (MonitorHost, _case_id, _sync_rows, drill_title, set_columns,
                                                  state_label)
from agent_console.widgets.monitor_tiles import ReasonModal


# --- drill down: a queue's cases, a case ---------------------------------------------------------------------------


class _CaseActions:
    """Reassign, escalate and change priority: the supervisor's actions on one case, each audited by its service."""

    def _target_case(self) -> tuple[int, str] | None:
        raise NotImplementedError

    def _after_change(self) -> None:
        raise NotImplementedError

    def _service(self):
        from agent_console.domain.cases import CaseService

        app: MonitorHost = self.app  # type: ignore[attr-defined]
        return CaseService(app.store, app.clock, app.supervisor)

    def action_reassign(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        app: MonitorHost = self.app  # type: ignore[attr-defined]
        choices = live.assignable_agents(app.store)
        options = [(str(a.id), _("{login} — {name} · tier {tier} · {state}").format(
            login=a.login, name=one_line(a.name, 30), tier=a.tier, state=state_label(a.state))) for a in choices]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self._run(lambda: self._service().assign(case_id, live.agent_by_id(app.store, int(value))),
                      _("{case} assigned").format(case=key))

        from agent_console.screens.pick import PickModal

        self.app.push_screen(PickModal(_("Assign {case} to").format(case=key), options), chosen)  # type: ignore[attr-defined]

    def action_take(self) -> None:
        """The supervisor takes the case themselves (then works it in the console, where it is not read-only)."""
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        self._run(lambda: self._service().claim(case_id),
                  _("{case} is yours now: work it in the console (agent-console --agent {login})").format(
                      case=key, login=self.app.supervisor.login))  # type: ignore[attr-defined]

    def action_priority(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        from agent_console.screens.pick import PickModal
        from agent_console.store.models import Priority

        def chosen(value: str | None) -> None:
            if value is not None:
                self._run(lambda: self._service().set_priority(case_id, value),
                          _("{case} priority {priority}").format(case=key, priority=_(PRIORITY_LABEL[value])))

        options = [(str(p), _(PRIORITY_LABEL[str(p)])) for p in Priority]
        self.app.push_screen(PickModal(_("Priority of {case}").format(case=key), options),  # type: ignore
                             chosen)

    def action_move_queue(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        from agent_console.screens.pick import PickModal
        from agent_console.store.models import QUEUES

        app: MonitorHost = self.app  # type: ignore[attr-defined]
        queues = sorted(set(QUEUES) | {q.name for q in (app.snapshot.queues if app.snapshot else ())})

        def chosen(value: str | None) -> None:
            if value is not None:
                self._run(lambda: self._service().set_queue(case_id, value),
                          _("{case} moved to queue {queue}").format(case=key, queue=value))

        self.app.push_screen(PickModal(_("Move {case} to queue").format(case=key), [(q, q) for q in queues]),  # type: ignore
                             chosen)

    def action_escalate(self) -> None:
        target = self._target_case()
        if target is None:
            return
        case_id, key = target
        from agent_console.screens.pick import PickModal
        from agent_console.store.queries import queue_names

        app: MonitorHost = self.app  # type: ignore[attr-defined]
        with app.store.session() as session:
            queues = queue_names(session)  # the store's queues: an escalation to any other would be refused
        options = ([(f"tier:{tier}", _("tier {tier}").format(tier=tier)) for tier in (2, 3)]
                   + [(f"queue:{q}", _("queue {queue}").format(queue=q)) for q in queues])

        def where(value: str | None) -> None:
            if value is None:
                return
            kind, _separator, name = value.partition(":")

            def reason(text: str | None) -> None:
                if text is None:
                    return
                from agent_console.domain.escalation import EscalationService

                service = EscalationService(app.store, app.clock, app.supervisor,
                                            follow_up_hours=getattr(app.settings, "follow_up_hours", 24))
                if kind == "tier":
                    self._run(lambda: service.escalate(case_id, to_tier=int(name), reason=text),
                              _("{case} escalated to tier {tier}").format(case=key, tier=name))
                else:
                    self._run(lambda: service.escalate(case_id, to_queue=name, reason=text),
                              _("{case} escalated to queue {queue}").format(case=key, queue=name))

            self.app.push_screen(ReasonModal(_("Why escalate {case}?").format(case=key)),  # type: ignore
                                 reason)

        self.app.push_screen(PickModal(_("Escalate {case} to").format(case=key), options),  # type: ignore
                             where)

    @work(thread=True, group="monitor-action", exit_on_error=False)
    def _run(self, change: Callable[[], object], done: str) -> None:
        """Write in a worker thread: a write may wait for another writer's lock, the screen must not."""
        from agent_console.domain.cases import CaseError
        from agent_console.domain.escalation import EscalationError
        from agent_console.store.queries import NotFound

        try:
            change()
        except (CaseError, EscalationError, NotFound, live.MonitorError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error",  # type: ignore[attr-defined]
                                      timeout=5, markup=False)
            return
        except Exception as exc:  # e.g. the store is locked or gone: say so, the monitor keeps running
            self.app.call_from_thread(self.notify, _("not saved: {error}").format(  # type: ignore
                error=f"{type(exc).__name__}: {exc}"),
                                      severity="error", timeout=8, markup=False)
            return
        self.app.call_from_thread(self._changed, done)  # type: ignore[attr-defined]

    def _changed(self, done: str) -> None:
        self.notify(done, timeout=3, markup=False)  # type: ignore[attr-defined]
        self._after_change()
        app: MonitorHost = self.app  # type: ignore[attr-defined]
        app.request_refresh()


#: A case's priority as the monitor names it (the values stay the store's).
PRIORITY_LABEL = {"low": N_("low"), "normal": N_("normal"), "high": N_("high"), "urgent": N_("urgent")}
#: The drill-down list's columns (source label, key).
CASE_COLUMNS = ((N_("case"), "key"), (N_("SLA"), "sla"), (N_("priority"), "priority"), (N_("channel"), "channel"),
                (N_("queue"), "queue"), (N_("status"), "status"), (N_("tier"), "tier"), (N_("assignee"), "assignee"),
                (N_("customer"), "customer"), (N_("subject"), "subject"))
#: A case's status as the monitor names it.
STATUS_LABEL = {"new": N_("new"), "open": N_("open"), "pending": N_("pending"), "escalated": N_("escalated"),
                "resolved": N_("resolved"), "closed": N_("closed")}


def _label(labels: dict[str, str], value: str) -> str:
    """A store value (priority, status) in the interface language; an unknown one literally."""
    return _(labels[value]) if value in labels else one_line(value)


class MonitorCasesScreen(TranslatedBindings, _CaseActions, Screen):
    """The cases behind one figure (a queue's or channel's open cases, the floor's breached ones, an agent's…),
    most urgent first: exactly as many rows as the figure counts (the first 500 shown)."""

    BINDINGS = bindings_for("monitor_case")[:1] + bindings_for("monitor_cases") + bindings_for("monitor_case")[1:]
    PALETTE = [
        (N_("Open case"), N_("Show the selected case read-only"), "open_case"),
        (N_("Assign case"), N_("Hand the selected case to an agent"), "reassign"),
        (N_("Move to queue"), N_("Move the selected case to another queue"), "move_queue"),
        (N_("Take case"), N_("Claim the selected case yourself"), "take"),
        (N_("Escalate case"), N_("Escalate the selected case to a tier or queue, with a reason"), "escalate"),
        (N_("Change priority"), N_("Set the selected case's priority"), "priority"),
        (N_("Reload cases"), N_("Read the list again"), "reload"),
        (N_("Back to the monitor"), N_("Close this list"), "back"),
    ]

    def __init__(self, drill: Drill) -> None:
        super().__init__()
        self.drill = drill
        #: How many cases the figure counts (the list shows the first 500).
        self.total: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(drill_title(self.drill)), id="cases-title", markup=False)
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#cases", DataTable)
        set_columns(table, CASE_COLUMNS)
        self.set_focus(table)  # at once: a key typed right after the list opens goes to it
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    def refresh_language(self) -> None:
        """The list again in the interface language (after a switch from the palette)."""
        set_columns(self.query_one("#cases", DataTable), CASE_COLUMNS)
        self.query_one("#cases-title", Static).update(Text(drill_title(self.drill)))
        self.action_reload()

    @work(thread=True, exclusive=True, group="monitor-drill", exit_on_error=False)
    def _load(self) -> None:
        app: MonitorHost = self.app  # type: ignore[assignment]
        now = app.clock.now()
        try:
            total, rows = live.drill_down(app.store, now, self.drill)
        except Exception as exc:  # the store is locked or gone: say so, the monitor keeps running
            self.app.call_from_thread(self.notify, _("cannot read the cases: {error}").format(
                error=f"{type(exc).__name__}: {exc}"),
                                      severity="error", timeout=8, markup=False)
            return
        self.app.call_from_thread(self._show, total, rows, now)

    def _show(self, total: int, rows: list[dict], now: datetime) -> None:
        from agent_console.widgets.sla_badge import sla_badge

        table = self.query_one("#cases", DataTable)
        cells = {}
        for row in rows:
            # The row's sla.row_countdown (domain.monitor_drill.drill_down): the queue row's and the header's state.
            sla_cell = sla_badge(row["sla"])
            # One row per entry: a case with two follow-ups due is listed twice (the figure counts both).
            cells[f"{len(cells)}:{row['id']}"] = (
                safe_text(row["key"]), sla_cell, Text(_label(PRIORITY_LABEL, row["priority"])), Text(row["channel"]),
                safe_text(row["queue"]), Text(_label(STATUS_LABEL, row["status"])), Text(str(row["tier"])),
                safe_text(row["assignee_login"] or "—"),
                safe_text(one_line(row["customer_name"], 24)), safe_text(one_line(row["subject"], 60)),
            )
        _sync_rows(table, cells)
        self.total = total
        if total > len(rows):
            shown = ngettext("{shown} of {total} case", "{shown} of {total} cases", total).format(
                shown=number(len(rows)), total=number(total))
        else:
            shown = ngettext("{total} case", "{total} cases", total).format(total=number(total))
        order = _("by due time") if self.drill.figure == "follow_ups" else _("most urgent first")
        self.query_one("#cases-title", Static).update(Text(f"{drill_title(self.drill)} · {shown}, {order}"))

    def _target_case(self) -> tuple[int, str] | None:
        table = self.query_one("#cases", DataTable)
        if not table.row_count:
            self.notify(_("No case selected."), timeout=2)
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        return _case_id(key.value), str(table.get_row(key)[0])

    def _after_change(self) -> None:
        self.action_reload()

    def action_open_case(self) -> None:
        target = self._target_case()
        if target is not None:
            self.app.push_screen(MonitorCaseScreen(target[0]))

    @on(DataTable.RowSelected, "#cases")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.push_screen(MonitorCaseScreen(_case_id(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss()


class MonitorCaseScreen(TranslatedBindings, _CaseActions, Screen):
    """A case as the supervisor sees it: header and thread, read-only; assign, escalate and priority still work."""

    BINDINGS = bindings_for("monitor_case")
    PALETTE = [
        (N_("Assign case"), N_("Hand this case to an agent"), "reassign"),
        (N_("Move to queue"), N_("Move this case to another queue"), "move_queue"),
        (N_("Take case"), N_("Claim this case yourself"), "take"),
        (N_("Escalate case"), N_("Escalate this case to a tier or queue, with a reason"), "escalate"),
        (N_("Change priority"), N_("Set this case's priority"), "priority"),
        (N_("Reload case"), N_("Read the case again"), "reload"),
        (N_("Back"), N_("Close this case"), "back"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.case_key = ""

    def compose(self) -> ComposeResult:
        from agent_console.widgets.thread_view import ThreadView

        yield Static("", id="case-head", markup=False)
        yield Static(_("read-only: the supervisor's view"), id="case-readonly", markup=False)
        yield ThreadView(id="case-thread")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def refresh_language(self) -> None:
        """The case again in the interface language (after a switch from the palette)."""
        self.query_one("#case-readonly", Static).update(_("read-only: the supervisor's view"))
        self.action_reload()

    def action_reload(self) -> None:
        from agent_console.widgets.labels import format_targets
        from agent_console.widgets.thread_view import ThreadView

        app: MonitorHost = self.app  # type: ignore[assignment]
        now = app.clock.now()
        try:
            view = live.case_view(app.store, self.case_id, now)
        except live.MonitorError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        case = view.case
        self.case_key = case.key
        head = Text()
        head.append(f"{case.key}  ", style="bold")
        head.append_text(safe_text(one_line(case.subject), style="bold"))
        head.append("\n")
        head.append_text(safe_text(_(
            "customer {customer} · {channel} · queue {queue} · {priority} · {status} · tier {tier} · assignee "
            "{assignee}").format(customer=one_line(view.customer_name), channel=case.channel,
                                 queue=one_line(case.queue), priority=_label(PRIORITY_LABEL, case.priority),
                                 status=_label(STATUS_LABEL, case.status), tier=case.tier,
                                 assignee=one_line(view.assignee_login or "—"))))
        head.append("\n")
        head.append(_("SLA: {targets}").format(targets=format_targets(view.targets) or _("no target running")),
                    style="dim")
        self.query_one("#case-head", Static).update(head)
        self.query_one(ThreadView).show_messages(view.messages, app.zone, now)

    def _target_case(self) -> tuple[int, str] | None:
        return self.case_id, self.case_key

    def _after_change(self) -> None:
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss()
