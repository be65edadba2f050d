"""``agent-console mail send`` (one pass over the outbox) and ``mail run`` (the long-running gateway for systemd).

Both work on this console's store (``--db PATH`` of ``agent-console``) or, with ``mail send|run --db URL`` (or
``$AGENT_CONSOLE_DB_URL``), on the team server's database, beside the server. Other parts of the gateway (IMAP
fetching) plug into ``mail run`` with :func:`register_run_worker`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Optional

import typer

from agent_console.cli.common import ctx_obj, echo, fail

SERVER_DB_VARIABLE = "AGENT_CONSOLE_DB_URL"
DB_HELP = "The team server's database (URL or SQLite file); default: $AGENT_CONSOLE_DB_URL, else this console's store."

#: ``mail run`` calls each factory with (the command's ``Context``, the store ``mail run`` works on) and runs the
#: worker it returns — ``worker(stop_event)``, returning soon after the event is set — in a thread beside the send
#: loop; None: nothing to run (e.g. no ``imap_url``). A worker that raises stops the gateway (systemd restarts it).
#: The IMAP fetcher registers here (``register_run_worker`` from its ``register(group)``).
RUN_WORKERS: list[Callable] = []


def register_run_worker(factory: Callable) -> None:
    if factory not in RUN_WORKERS:
        RUN_WORKERS.append(factory)


def _open_store(ctx: typer.Context, db: str | None):
    obj = ctx_obj(ctx)
    url = db or os.environ.get(SERVER_DB_VARIABLE)
    if not url:
        return obj.store(create=False)
    from agent_console.server.db import open_server_store
    from agent_console.store.db import StoreError
    from agent_console.store.urls import display_url, hide_password

    try:
        return open_server_store(url, clock=obj.clock, migrate=False)
    except StoreError as exc:  # not migrated, damaged: the store's own message
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - unreachable, log-in refused, a bad URL: one line, password hidden
        from agent_console.i18n import _

        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        fail(hide_password(_("cannot open the database {url}: {reason}").format(
            url=display_url(url), reason=reason[0] if reason else type(exc).__name__), url))


def _sender(ctx: typer.Context, db: str | None):
    from agent_console.i18n import _
    from agent_console.mail.gateway import MailSender
    from agent_console.mail.smtp import SmtpConfigError, smtp_target

    obj = ctx_obj(ctx)
    settings = obj.settings
    if not settings.mail_from.strip():
        fail(_("mail_from is not set: set it in the settings file or in AGENT_CONSOLE_MAIL_FROM"))
    try:
        target = smtp_target(settings.smtp_url, password_file=settings.smtp_password_file)
    except SmtpConfigError as exc:
        fail(str(exc))
    store = _open_store(ctx, db)
    if not (db or os.environ.get(SERVER_DB_VARIABLE)):
        from agent_console.sync.mail_role import works_alone

        if not works_alone(store):
            # Its replies went (or go, with the next push) to the team server, which mails them: mail from here
            # would reach the customer twice.
            fail(_("this console's store syncs with a team server, which sends the reply mails: run mail send or "
                   "mail run beside the server, on its database (--db)"))
    return MailSender(store=store, clock=obj.clock, target=target, mail_from=settings.mail_from,
                      survey_base_url=settings.survey_base_url)


def _report_line(report) -> str:
    from agent_console.i18n import _

    return _("{sent} sent, {retried} to retry, {failed} failed").format(sent=report.sent, retried=report.retried,
                                                                         failed=report.failed)


def register(group: typer.Typer) -> None:
    @group.command("send")
    def send(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Send the reply mails that are due, once (mails a killed gateway left half-sent go again)."""
        sender = _sender(ctx, db)
        from agent_console.mail.gateway import SendReport

        report = SendReport(recovered=sender.recover_interrupted())
        sender.send_due(report)
        echo(_report_line(report))

    @group.command("run")
    def run(ctx: typer.Context, db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Run the mail gateway until stopped (SIGTERM, Ctrl-C): send replies as they are queued, fetch mail."""
        import logging
        import signal

        from agent_console.mail.gateway import Gateway

        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
        logging.getLogger("agent_console.mail").setLevel(logging.INFO)  # every mail sent, retried or failed
        sender = _sender(ctx, db)
        gateway = Gateway(sender)
        obj = ctx_obj(ctx)
        for factory in RUN_WORKERS:
            worker = factory(obj, sender.store)
            if worker is not None:
                gateway.add_worker(getattr(worker, "name", getattr(factory, "__name__", "worker")), worker)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: gateway.stop())
        report = gateway.run()
        echo(_report_line(report))
        if gateway.worker_error:  # a non-zero exit, so that systemd (Restart=on-failure) starts it again
            from agent_console.i18n import _

            fail(_("the gateway stopped because a worker failed: {error}").format(error=gateway.worker_error))
