"""``agent-console report selfservice``: the help center's self-service figures (``domain/selfservice.py``) over
local calendar days ``--since``..``--until``, as a table, CSV or JSON like the other reports.

The help center's records live where the help center runs, on the team server: a console logged in to one asks it
(``GET /api/v1/reports/selfservice``, supervisors); otherwise the figures come from the store itself (the server's
own with ``--db``).
"""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail, print_json
from agent_console.i18n import N_, _

TITLE = N_("Self-service")
FIGURES = (("resolutions", N_("self-service resolutions (“yes”)")),
           ("not_solved", N_("answers “no”")),
           ("solved_visits", N_("visits that ended in “yes”")),
           ("contact_forms", N_("contact forms sent")),
           ("deflection", N_("deflection")),
           ("searches", N_("searches")),
           ("searches_without_results", N_("searches without results")))


def selfservice(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="First day (YYYY-MM-DD, your zone)."),
    until: Optional[str] = typer.Option(None, "--until", help="Last day, inclusive (default: today)."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    top: int = typer.Option(10, "--top", min=1, max=100, help="How many searches without results to list."),
) -> None:
    """Self-service: "yes" answers on the help center, deflection (visits that ended in "yes" against contact forms
    sent) and the top searches without results."""
    from zoneinfo import ZoneInfo

    from agent_console.cli.report_options import FORMATS, display_zone, parse_day
    from agent_console.domain.metrics import MetricError, day_range
    from agent_console.domain.selfservice import figures

    if fmt not in FORMATS:
        fail(_("--format: unknown format {fmt}; expected one of: {value}").format(
            fmt=repr(fmt), value=', '.join(FORMATS)))
    obj = ctx_obj(ctx)
    tz = display_zone(obj.settings)
    today = obj.clock.now().astimezone(ZoneInfo(tz)).date()
    try:
        start, end = day_range(parse_day(since, "--since"), parse_day(until, "--until"), today=today, tz=tz)
    except MetricError as exc:
        fail(str(exc))
    store = obj.store()
    data = _from_team_server(store, start, end, tz, top)
    if data is None:
        with store.session() as session:
            data = figures(session, start, end, top=top).as_json()
    if fmt == "json":
        print_json({"report": "selfservice", "zone": tz, **data})
        return
    if fmt == "csv":
        _print_csv(data)
        return
    _print_table(data, tz)


def _from_team_server(store, start, end, tz: str, top: int) -> dict | None:
    """The team's figures when this store is logged in to a team server (None when it is not)."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from agent_console.sync import credentials
    from agent_console.sync.client import SyncClient, SyncError

    try:
        creds = credentials.load(store.path)
    except credentials.CredentialsError as exc:
        fail(str(exc))
    if creds is None:
        return None
    zone = ZoneInfo(tz)
    first, last = start.astimezone(zone).date(), (end.astimezone(zone) - timedelta(seconds=1)).date()
    try:
        with SyncClient(creds.server, creds.token) as client:
            answer = client.selfservice_report(first.isoformat(), last.isoformat(), tz, top)
    except SyncError as exc:
        fail(_("the team server's figures cannot be read: {problem}").format(problem=exc))
    answer.pop("zone", None)
    return answer


def _print_csv(data: dict) -> None:
    import csv
    import sys

    from agent_console.cli.common import CleanStream

    writer = csv.writer(CleanStream(sys.stdout), lineterminator="\n")
    writer.writerow(["figure", "query", "value", "visits"])
    for key, _label in FIGURES:
        value = data[key]
        writer.writerow([key, "", "" if value is None else round(value, 6), ""])
    for missed in data["top_searches_without_results"]:
        writer.writerow(["search_without_results", missed["query"], missed["searches"], missed["visits"]])


def _print_table(data: dict, tz: str) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from rich.table import Table
    from rich.text import Text

    from agent_console.cli.report_options import shown_day
    from agent_console.formatting import number, percent

    zone = ZoneInfo(tz)
    start, end = datetime.fromisoformat(data["since"]), datetime.fromisoformat(data["until"])
    period = _("{first} to {last} ({zone})").format(first=shown_day(start.astimezone(zone).date()),
                                                    last=shown_day((end.astimezone(zone) - timedelta(seconds=1)).date()),
                                                    zone=tz)
    out = console()
    table = Table(title=_("{title}, {period}").format(title=_(TITLE), period=period))
    table.add_column(_("figure"))
    table.add_column(_("value"), justify="right")
    for key, label in FIGURES:
        value = data[key]
        table.add_row(_(label), percent(value) if key == "deflection" else number(value))
    out.print(table)
    if not data["top_searches_without_results"]:
        out.print(_("No search without results in this period."))
        return
    missed = Table(title=_("Top searches without results"))
    missed.add_column(_("search"))
    missed.add_column(_("searches"), justify="right")
    missed.add_column(_("visits"), justify="right")
    for row in data["top_searches_without_results"]:
        missed.add_row(Text(row["query"]), number(row["searches"]), number(row["visits"]))
    out.print(missed)
