"""Opening the Textual console (imported only when the console is started)."""

from __future__ import annotations

from agent_console.cli.common import Context, fail
from agent_console.i18n import _


def open_console(obj: Context) -> None:
    store = obj.store()
    agent = obj.agent(required=True)
    from agent_console.domain.zones import UnknownTimeZone, zone_named

    if obj.settings.timezone:
        try:
            zone_named(obj.settings.timezone)
        except UnknownTimeZone as exc:
            fail(_("{exc} in the settings").format(exc=exc))
    from agent_console.app import AgentConsoleApp

    app = AgentConsoleApp(store=store, agent=agent, clock=obj.clock, settings=obj.settings)
    app.run()
    if app.return_code:
        fail(_("the console stopped with an error"), code=app.return_code)
