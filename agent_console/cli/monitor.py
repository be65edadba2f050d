"""``agent-console monitor [--agent LOGIN] [--wallboard] [--interval S]``: the supervisor's live monitor."""

from __future__ import annotations

from typing import Optional

import typer

from agent_console.cli.common import ctx_obj, fail
from agent_console.i18n import _

MONITOR_ROLES = ("supervisor", "admin")


def register(app: typer.Typer) -> None:
    @app.command("monitor")
    def monitor(
        ctx: typer.Context,
        agent: Optional[str] = typer.Option(None, "--agent", help="Act as this supervisor or admin (login)."),
        wallboard: bool = typer.Option(False, "--wallboard", help="Large figures for a screen on the wall."),
        interval: Optional[float] = typer.Option(None, "--interval", min=0.2, max=3600,
                                                 help="Seconds between refreshes (default: the monitor_refresh_s "
                                                      "setting, 2 s)."),
    ) -> None:
        """Open the live queue monitor (supervisors and admins)."""
        obj = ctx_obj(ctx)
        if agent:
            obj.agent_option = agent
        store = obj.store()
        supervisor = obj.agent(required=True)
        if supervisor.role not in MONITOR_ROLES:
            fail(_("the monitor is for supervisors and admins; {login} is an {role} (use --agent with a "
                   "supervisor's login)").format(login=supervisor.login, role=supervisor.role))
        if not supervisor.active:
            fail(_("{login} is not active").format(login=supervisor.login))
        from agent_console.domain.monitor import MonitorError, Thresholds

        settings = obj.settings
        try:
            Thresholds.from_setting(settings.monitor_thresholds or {})
        except MonitorError as exc:
            fail(str(exc))
        from agent_console.screens.monitor import MonitorApp, zone_from_settings

        try:
            zone_from_settings(settings.timezone)
        except MonitorError as exc:
            fail(str(exc))
        app = MonitorApp(store=store, clock=obj.clock, supervisor=supervisor, settings=settings,
                         wallboard=wallboard, interval=interval)
        app.run()
        if app.return_code:
            fail(_("the monitor stopped with an error"), code=app.return_code)
