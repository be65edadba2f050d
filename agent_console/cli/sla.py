"""``agent-console sla list | set | remove`` — and the same as ``agent-console server sla …`` on the team server's
database (its changes go into the change feed, so every console gets them)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from agent_console.cli.common import DB_HELP, console, ctx_obj, fail, local_or_server_command, print_json
from agent_console.cli.server_db import target_store
from agent_console.i18n import N_, _, ngettext


def _holiday_years(text: str | None, this_year: int) -> tuple[int, int]:
    if not text:
        return this_year, this_year + 4
    first, _, last = text.partition("-")
    try:
        years = int(first), int(last or first)
    except ValueError:
        fail(_("--holiday-years: {text} is not a year or a range of years (e.g. 2026-2030)").format(
            text=repr(text)))
    if not 1900 <= years[0] <= years[1] <= 2200 or years[1] - years[0] > 50:
        fail(_("--holiday-years: {text} is not a range of at most 50 years").format(text=repr(text)))
    return years


def _read_holidays(path: Path, years: tuple[int, int]):
    from agent_console.domain.business_hours import BusinessHoursError, holidays_from_ical

    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(_("{path}: cannot read the holidays file: {value}").format(path=path, value=exc.strerror or exc))
    try:
        return holidays_from_ical(data, str(path), *years)
    except BusinessHoursError as exc:
        fail(str(exc))


def build_group(*, for_server: bool) -> typer.Typer:
    """The SLA commands over the local store, or (``for_server``) over the server database given by ``--db``."""
    group = typer.Typer(help="SLA policies: targets per channel and priority, business hours and holidays.",
                        no_args_is_help=True)

    command = local_or_server_command(group, for_server)

    @command("list")
    def list_(ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
              db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """The policies: targets (first response / next update / resolution), at-risk share, business hours and
        holidays."""
        from agent_console.domain.business_hours import BusinessHours, describe
        from agent_console.domain.sla_policies import format_duration, list_policies

        with target_store(ctx, db, for_server) as store:
            policies = list_policies(store)
        rows = []
        for p in policies:
            hours = BusinessHours.parse(p.business_hours)
            rows.append({"channel": p.channel, "priority": p.priority, "first_response_s": p.first_response_s,
                         "next_update_s": p.next_update_s, "resolution_s": p.resolution_s,
                         "at_risk_fraction": p.at_risk_fraction, "service_level_goal": p.service_level_goal,
                         "auto_escalate": p.auto_escalate, "business_hours": describe(hours),
                         "holidays": sorted(d.isoformat() for d in hours.holidays) if hours else []})
        if json_out:
            print_json(rows)
            return
        if not rows:
            console().print(_("no SLA policies: every case follows the built-in defaults (docs/sla.md); `sla set "
                              "CHANNEL …` writes one"))
            return
        from agent_console.cli.common import print_table

        print_table((N_("channel"), N_("priority"), N_("first / next / resolution"), N_("at risk"), N_("business hours"), N_("holidays")),
                    [(r["channel"], r["priority"] or "default",
                      " / ".join(format_duration(r[k]) for k in ("first_response_s", "next_update_s",
                                                                  "resolution_s")),
                      f"{r['at_risk_fraction']:.0%}", r["business_hours"], str(len(r["holidays"])))
                     for r in rows])

    @command("set")
    def set_(
        ctx: typer.Context,
        channel: str = typer.Argument(..., help="phone, email, chat, social, messenger, web, onsite, or all."),
        priority: Optional[str] = typer.Option(None, "--priority", help="urgent, high, normal or low; leave out "
                                               "for the channel's default; all: the default and every priority "
                                               "policy of the channel."),
        first_response: Optional[str] = typer.Option(None, "--first-response", help="Target, e.g. 90s, 15m, 4h."),
        next_update: Optional[str] = typer.Option(None, "--next-update", help="Target, or 'none'."),
        resolution: Optional[str] = typer.Option(None, "--resolution", help="Target, e.g. 8h, 3d."),
        at_risk: Optional[str] = typer.Option(None, "--at-risk", help="At risk once this share of a target is "
                                              "gone, e.g. 80%."),
        goal: Optional[str] = typer.Option(None, "--goal", help="Service-level goal: share of first responses "
                                           "within target, e.g. 80%."),
        hours: Optional[str] = typer.Option(None, "--hours", help="Business hours, e.g. 'Mon-Fri 08:00-18:00 "
                                            "Europe/Berlin'; '24/7' for around the clock."),
        holidays: Optional[Path] = typer.Option(None, "--holidays", help="iCalendar file (.ics) of holidays: "
                                                "closed all day; replaces the policy's holidays."),
        holiday_years: Optional[str] = typer.Option(None, "--holiday-years", help="Years to take repeating "
                                                    "holidays for (default: this year and the next four)."),
        no_holidays: bool = typer.Option(False, "--no-holidays", help="Remove the policy's holidays."),
        auto_escalate: Optional[bool] = typer.Option(None, "--auto-escalate/--no-auto-escalate",
                                                     help="Escalate a case automatically when a target is breached."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Create or change a policy. A new one starts from the default targets (docs/sla.md); due times of cases
        created from now on follow it."""
        from agent_console.domain.sla_policies import (
            PolicyChange,
            PolicyError,
            format_duration,
            parse_duration,
            parse_fraction,
            set_policies,
        )

        if holidays is not None and no_holidays:
            fail(_("give --holidays FILE or --no-holidays, not both"))
        obj = ctx_obj(ctx)
        try:
            change = PolicyChange(
                first_response_s=parse_duration(first_response, "--first-response") if first_response else None,
                next_update_s=(parse_duration(next_update, "--next-update")
                               if next_update and next_update.strip().lower() != "none" else None),
                clear_next_update=bool(next_update) and next_update.strip().lower() == "none",
                resolution_s=parse_duration(resolution, "--resolution") if resolution else None,
                at_risk_fraction=parse_fraction(at_risk, "--at-risk") if at_risk else None,
                service_level_goal=parse_fraction(goal, "--goal") if goal else None,
                hours=hours, auto_escalate=auto_escalate,
                holidays=(_read_holidays(holidays, _holiday_years(holiday_years, obj.clock.now().year))
                          if holidays is not None else frozenset() if no_holidays else None),
            )
            with target_store(ctx, db, for_server) as store:
                written = set_policies(store, obj.clock, channel, priority, change)
        except PolicyError as exc:
            fail(str(exc))
        from agent_console.domain.business_hours import BusinessHours, describe

        for p in written:
            business = BusinessHours.parse(p.business_hours)
            extra = ""
            if business is not None and business.holidays:
                extra = ", " + ngettext("{count} holiday", "{count} holidays", len(business.holidays)).format(
                    count=len(business.holidays))
            console().print(_("{channel} {priority}: first response {first_response}, next update {next_update}, resolution "
                              "{resolution}, {hours}{holidays}").format(
                channel=p.channel, priority=p.priority or _("default"),
                first_response=format_duration(p.first_response_s), next_update=format_duration(p.next_update_s),
                resolution=format_duration(p.resolution_s), hours=describe(business), holidays=extra))

    @command("remove")
    def remove(
        ctx: typer.Context,
        channel: str = typer.Argument(..., help="The policy's channel."),
        priority: Optional[str] = typer.Option(None, "--priority", help="The policy's priority (leave out for the "
                                               "channel's default)."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Remove a policy: its cases then follow the channel's default policy, or the built-in defaults."""
        from agent_console.domain.sla_policies import PolicyError, remove_policy

        try:
            with target_store(ctx, db, for_server) as store:
                remove_policy(store, ctx_obj(ctx).clock, channel, priority)
        except PolicyError as exc:
            fail(str(exc))
        console().print(_("removed the SLA policy {channel} {value}").format(channel=channel, value=priority or _("default")))

    return group


def register(app: typer.Typer) -> None:
    app.add_typer(build_group(for_server=False), name="sla")
