"""``agent-console report aht|fcr|sla|asa|escalations|csat|nps|ces|complaints|selfservice``: contact-center metrics.

Each report runs one or two SQL aggregates from ``domain.metrics`` over local calendar days ``--since``..``--until``
(inclusive, in the agent's display zone; default the last 7 days) and prints a table, CSV or JSON.
"""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json, without_options
from agent_console.cli.report_options import FORMATS, display_zone, parse_day, shown_day
from agent_console.i18n import N_, _

GROUPINGS = ("agent", "queue", "channel", "day")

#: name -> (title, value kind, help, detail columns shown in the table)
REPORTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "aht": (N_("Average handling time"), "duration",
            "AHT: (handle + wrap-up + corrections) per handled case.", ("handle_s", "wrap_up_s", "corrections_s")),
    "fcr": (N_("First-contact resolution"), "percent",
            "FCR: cases resolved on the first contact and not reopened within the window.",
            ("resolved_first_contact", "undecided")),
    "sla": (N_("Service level (first response)"), "percent",
            "Service level: % of first responses within target, with the average speed of answer.",
            ("met", "answered", "asa_s")),
    "asa": (N_("Average speed of answer"), "duration", "ASA: creation to first response, of the answered cases.", ()),
    "escalations": (N_("Escalation rate"), "percent", "% of the cases created that were escalated.",
                    ("escalated", "automatic")),
    "csat": (N_("Customer satisfaction"), "percent", "CSAT: % of survey answers 4–5.", ("satisfied",)),
    "nps": (N_("Net promoter score"), "score", "NPS: % promoters (9–10) − % detractors (0–6).",
            ("promoters", "passives", "detractors")),
    "ces": (N_("Customer effort score"), "mean", "CES: mean answer (1–7).", ()),
    "complaints": (N_("Complaints per customer"), "ratio",
                   "Cases in the Complaints queue per customer with cases.", ("complaints",)),
}

#: The value column's header in a table (else the report's name in capitals).
VALUE_LABEL = {"escalations": N_("rate"), "complaints": N_("per customer")}

#: The count's name: a JSON/CSV key, and (translated) the count column's header in a table.
COUNT_LABEL = {"aht": N_("cases"), "fcr": N_("decided"), "sla": N_("decided"), "asa": N_("answered"),
               "escalations": N_("cases"), "csat": N_("answers"), "nps": N_("answers"), "ces": N_("answers"),
               "complaints": N_("customers")}
#: The table's headers of the grouping column and of the detail columns (JSON/CSV keep the keys).
TABLE_LABEL = {"agent": N_("agent"), "queue": N_("queue"), "channel": N_("channel"), "day": N_("day"),
               "group": N_("group"), "handle_s": N_("handle"), "wrap_up_s": N_("wrap up"),
               "corrections_s": N_("corrections"), "resolved_first_contact": N_("resolved first contact"),
               "undecided": N_("undecided"), "met": N_("met"), "answered": N_("answered"), "asa_s": N_("asa"),
               "escalated": N_("escalated"), "automatic": N_("automatic"), "satisfied": N_("satisfied"),
               "promoters": N_("promoters"), "passives": N_("passives"), "detractors": N_("detractors"),
               "complaints": N_("complaints")}


def format_value(kind: str, value: float | None) -> str:
    if value is None:
        return "–"
    if kind == "duration":
        seconds = int(round(value))
        if seconds >= 3600:
            return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m{seconds % 60:02d}s"
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if kind == "percent":
        return _decimal(f"{value:.1f}") + " %"
    if kind == "score":
        return _decimal(f"{value:+.1f}")
    return _decimal(f"{value:.2f}")


def _decimal(text: str) -> str:
    """A decimal written in English (``87.5``) with the interface language's decimal mark (``87,5``)."""
    from agent_console.i18n import current_language

    return text.replace(".", ",") if current_language() == "de" else text


def _format_detail(name: str, value) -> str:
    if value is None:
        return "–"
    if name.endswith("_s"):
        return format_value("duration", float(value))
    if isinstance(value, float) and not value.is_integer():
        return _decimal(f"{value:.2f}")
    return str(int(value)) if isinstance(value, (int, float)) else str(value)


def compute(name: str, session, since, until, *, by, tz, now, window_days):
    from agent_console.domain import metrics

    if name == "aht":
        return metrics.aht(session, since, until, by=by, tz=tz)
    if name == "fcr":
        return metrics.fcr(session, since, until, now=now, window_days=window_days, by=by, tz=tz)
    if name == "sla":
        return metrics.service_level(session, since, until, now=now, by=by, tz=tz)
    if name == "asa":
        return metrics.asa(session, since, until, now=now, by=by, tz=tz)
    if name == "escalations":
        return metrics.escalation_rate(session, since, until, by=by, tz=tz)
    if name == "csat":
        return metrics.csat(session, since, until, by=by, tz=tz)
    if name == "nps":
        return metrics.nps(session, since, until, by=by, tz=tz)
    if name == "ces":
        return metrics.ces(session, since, until, by=by, tz=tz)
    return metrics.complaints_per_customer(session, since, until, by=by, tz=tz)


def _details(name: str, group_label: str, detail: dict) -> dict:
    """A row's detail figures without any that would repeat a column name (e.g. ASA's count is 'answered')."""
    taken = {group_label, COUNT_LABEL[name], "value"}
    return {key: value for key, value in detail.items() if key not in taken}


def _run_report(ctx: typer.Context, name: str, by: str | None, since: str | None, until: str | None, fmt: str,
                window_days: int | None, settled: bool = False) -> None:
    from agent_console.domain.metrics import MetricError, day_range

    if by is not None and by not in GROUPINGS:
        fail(_("--by: unknown grouping {by}; expected one of: {value}").format(
            by=repr(by), value=', '.join(GROUPINGS)))
    if fmt not in FORMATS:
        fail(_("--format: unknown format {fmt}; expected one of: {value}").format(
            fmt=repr(fmt), value=', '.join(FORMATS)))
    obj = ctx_obj(ctx)
    tz = display_zone(obj.settings)
    now = obj.clock.now()
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(tz)).date()
    # FCR: by default the provisional figure the monitor shows; a window waits that long for reopenings.
    window = window_days if window_days is not None else obj.settings.fcr_window_days if settled else None
    try:
        start, end = day_range(parse_day(since, "--since"), parse_day(until, "--until"), today=today, tz=tz)
    except MetricError as exc:
        fail(str(exc))
    store = obj.store()
    with store.session() as session:
        rows = compute(name, session, start, end, by=by, tz=tz, now=now, window_days=window)
    title, kind, _help, detail_columns = REPORTS[name]
    group_label = by or "group"
    if fmt == "json":
        print_json({"report": name, "title": title, "by": by, "zone": tz, "since": start.isoformat(),
                    "until": end.isoformat(), "window_days": window if name == "fcr" else None,
                    "rows": [{group_label: r.group, COUNT_LABEL[name]: r.count, "value": r.value,
                              **_details(name, group_label, r.detail)} for r in rows]})
        return
    if fmt == "csv":
        import csv
        import sys

        columns = sorted({key for r in rows for key in _details(name, group_label, r.detail)})
        from agent_console.cli.common import CleanStream

        writer = csv.writer(CleanStream(sys.stdout), lineterminator="\n")
        writer.writerow([group_label, COUNT_LABEL[name], "value", *columns])
        for r in rows:
            writer.writerow([r.group, r.count, "" if r.value is None else round(r.value, 6),
                             *["" if r.detail.get(c) is None else r.detail.get(c) for c in columns]])
        return
    from rich.table import Table
    from rich.text import Text

    # The end bound is exclusive (next local midnight); show the last day included.
    from datetime import timedelta

    last_day = (end.astimezone(ZoneInfo(tz)) - timedelta(seconds=1)).date()
    period = _("{first} to {last} ({zone})").format(first=shown_day(start.astimezone(ZoneInfo(tz)).date()),
                                                    last=shown_day(last_day), zone=tz)
    caption = None
    if name == "fcr":
        caption = (_("FCR window {days} days").format(days=window) if window is not None else
                   _("provisional, as the monitor shows it (--window-days N: settled)"))
    from agent_console.cli.common import header_min_width

    title = _(title)
    table = Table(title=_("{title}, {period}").format(title=title, period=period), caption=caption)
    headers = [(_(TABLE_LABEL[group_label]), "left"), (_(COUNT_LABEL[name]), "right"),
               (_(VALUE_LABEL[name]) if name in VALUE_LABEL else name.upper(), "right")]
    headers += [(_(TABLE_LABEL[column]), "right") for column in detail_columns]
    for header, justify in headers:
        table.add_column(header, justify=justify, min_width=header_min_width(header))
    for r in rows:
        table.add_row(Text(r.group), str(r.count), format_value(kind, r.value),
                      *[_format_detail(c, r.detail.get(c)) for c in detail_columns])
    if not rows:
        console().print(_("{title}: no data from {period}").format(title=title, period=period))
        return
    console().print(table)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Contact-center metrics: AHT, FCR, service level, escalations, CSAT, NPS, CES.",
                        no_args_is_help=True)

    def add(name: str) -> None:
        title, _kind, help_text, _columns = REPORTS[name]

        def command(
            ctx: typer.Context,
            by: Optional[str] = typer.Option(None, "--by", help="Group by agent, queue, channel or day."),
            since: Optional[str] = typer.Option(None, "--since", help="First day (YYYY-MM-DD, your zone)."),
            until: Optional[str] = typer.Option(None, "--until", help="Last day, inclusive (default: today)."),
            fmt: str = typer.Option("table", "--format", help="table, csv or json."),
            window_days: Optional[int] = typer.Option(None, "--window-days", min=0,
                                                      help="Settled figure: a case counts once N days passed "
                                                           "without a reopening (default: the provisional figure "
                                                           "the monitor shows)."),
            settled: bool = typer.Option(False, "--settled", help="Settled figure with the window of the settings "
                                                                  "(fcr_window_days)."),
        ) -> None:
            _run_report(ctx, name, by, since, until, fmt, window_days, settled)

        command.__doc__ = f"{title}. {help_text}"
        # Each report's --help lists only its own options: the FCR window belongs to FCR alone.
        group.command(name)(command if name == "fcr" else without_options(command, "window_days", "settled"))

    for name in REPORTS:
        add(name)
    from agent_console.cli.report_selfservice import selfservice

    group.command("selfservice")(selfservice)
    app.add_typer(group, name="report")
