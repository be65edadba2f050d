"""``agent-console case survey-link KEY``: a new one-time survey link for a resolved case (for a phone follow-up).

Made on the store that serves the survey pages: the team server's database (``--db`` of the server's SQLite file on
the server's host) or a console that works alone. A console that syncs with a team server refuses: a link made in
its own store would open nothing on the server."""

from __future__ import annotations

import sys

import typer

from agent_console.cli.common import ctx_obj, fail

SURVEY_LINK_ROLES = ("supervisor", "admin")


def register_survey_commands(group: typer.Typer) -> None:
    from agent_console.i18n import _

    @group.command("survey-link")
    def survey_link(ctx: typer.Context, key: str = typer.Argument(..., help="The resolved case's key.")) -> None:
        """Print a new survey link for a resolved case (valid 14 days, usable once); supervisors and admins."""
        from agent_console.domain import surveys
        from agent_console.store.queries import NotFound, case_by_key
        from agent_console.sync.mail_role import works_alone

        obj = ctx_obj(ctx)
        base_url = obj.settings.survey_base_url
        if not base_url:
            fail(_("survey_base_url is not set: set it to the team server's public address (settings file or "
                   "AGENT_CONSOLE_SURVEY_BASE_URL)"))
        agent = obj.agent()
        if agent.role not in SURVEY_LINK_ROLES:
            fail(_("survey links are for supervisors and admins; {login} is an {role}").format(
                login=agent.login, role=agent.role))
        store = obj.store()
        if not works_alone(store):
            fail(_("this console syncs with a team server: make the link on the server's database "
                   "(agent-console --db SERVER-DATABASE case survey-link {key})").format(key=key.strip()))
        try:
            with store.transaction() as session:
                case = case_by_key(session, key.strip())
                token = surveys.make_token(session, case, obj.clock.now())
        except (NotFound, surveys.SurveyError) as exc:
            fail(str(exc))
        sys.stdout.write(surveys.survey_url(base_url, token) + "\n")
