"""``agent-console mail fetch``: take the mail waiting in the IMAP mailbox (``imap_url``) into the intake."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

import typer

from agent_console.cli.common import console, ctx_obj, fail

if TYPE_CHECKING:
    from agent_console.cli.common import Context
    from agent_console.mail.imap_fetch import Deliver, Delivery


def delivery_of(status: int) -> "Delivery":
    """Where a mail goes by the intake's outcome (``mail_intake_outcome``): the done folder when it was taken (or
    known already), the failed folder when refused for good, else it stays in the mailbox — nothing is lost."""
    from agent_console.domain.mail_intake_outcome import EX_DATAERR, EX_OK
    from agent_console.mail.imap_fetch import Delivery

    if status == EX_OK:
        return Delivery.ACCEPTED
    if status == EX_DATAERR:
        return Delivery.REFUSED
    return Delivery.TEMPORARY


def intake_delivery(obj: "Context", server: Optional[str], token: Optional[str]) -> "Deliver":
    """One mail into the intake, the way ``mail ingest`` takes it: its exit status tells what became of the mail
    (0 accepted or known already, 65 refused for good, 75 try again later)."""
    from agent_console.cli import mail_ingest

    def deliver(raw: bytes) -> "Delivery":
        return delivery_of(mail_ingest.ingest_raw_mail(obj, raw, server=server, token=token))

    return deliver


def store_delivery(obj: "Context", store) -> "Deliver":
    """One mail into the intake of ``store`` — the store ``mail run`` works on (this console's, or the team server's
    database with ``--db``), so fetched mail lands where the gateway sends from."""
    from agent_console.domain.mail_intake import IntakeOptions
    from agent_console.domain.mail_intake_outcome import EX_OK, take_in
    from agent_console.mail.imap_fetch import Delivery
    from agent_console.store.errors import explain
    from agent_console.store.kept_writer import writer_for

    options = IntakeOptions.from_settings(obj.settings)
    log = logging.getLogger("agent_console.mail")
    # The mails of one fetch or of the running gateway's mailbox thread share one connection to a console's store.
    writer = writer_for(store)

    def explained(exc: BaseException) -> str:
        # The gateway keeps running whatever the store does: a failure it cannot explain leaves the mail in the
        # mailbox too (logged), and the next round tries again.
        return explain(exc, None) or f"{type(exc).__name__}: {exc}"

    def deliver(raw: bytes) -> "Delivery":
        outcome = take_in(writer, obj.clock, raw, options, explained)
        if outcome.status == EX_OK:
            log.info("mail taken in: %s %s", outcome.result.outcome, outcome.result.case_key or "")
        elif delivery_of(outcome.status) is Delivery.REFUSED:
            log.warning("%s", outcome.error)
        else:
            log.warning("mail left in the mailbox: %s", outcome.error)
        return delivery_of(outcome.status)

    return deliver


def imap_run_worker(obj: "Context", store):
    """``mail run``'s IMAP side: watch the mailbox (IDLE, else polling) when ``imap_url`` is set, else nothing."""
    if not obj.settings.imap_url.strip():
        return None
    from agent_console.mail.imap_fetch import watch

    deliver = store_delivery(obj, store)

    def worker(stop_event) -> None:
        watch(obj.settings, deliver, stop_event, report=logging.getLogger("agent_console.mail").warning)

    worker.name = "imap"
    return worker


def register(group: typer.Typer) -> None:
    from agent_console.cli import mail_gateway

    mail_gateway.register_run_worker(imap_run_worker)

    @group.command("fetch")
    def fetch(
        ctx: typer.Context,
        server: Optional[str] = typer.Option(None, "--server",
                                             help="Hand the mail to this team server's intake instead of the "
                                                  "local store."),
        token: Optional[str] = typer.Option(None, "--token", help="The integration token for --server."),
    ) -> None:
        """Take the mail waiting in the IMAP mailbox (imap_url) into the intake, once.

        Each message is moved to imap_done_folder once the intake has it, or to imap_failed_folder when it is refused
        for good; on a temporary failure it stays for the next run (exit status 75)."""
        from agent_console.i18n import _
        from agent_console.mail.imap_client import ImapLoginRefused, ImapSettingsError, ImapUnavailable
        from agent_console.mail.imap_fetch import EX_TEMPFAIL as TEMPFAIL
        from agent_console.mail.imap_fetch import fetch_once, imap_settings

        obj = ctx_obj(ctx)
        try:
            config = imap_settings(obj.settings)
        except ImapSettingsError as exc:
            fail(str(exc))
        deliver = intake_delivery(obj, server, token)
        try:
            report = fetch_once(config, deliver)
        except ImapLoginRefused as exc:
            fail(str(exc))
        except ImapUnavailable as exc:
            fail(_("{reason}; try again later").format(reason=exc), code=TEMPFAIL)
        out = console()
        out.print(_("{accepted} taken in (moved to {done}), {refused} refused (moved to {failed}), "
                    "{deferred} left in {mailbox}").format(
            accepted=report.accepted, done=config.done_folder, refused=report.refused, failed=config.failed_folder,
            deferred=report.deferred, mailbox=config.location.mailbox))
        if report.temporary_failure:
            fail(_("the intake cannot take mail just now; the rest stays in {mailbox} for the next run").format(
                mailbox=config.location.mailbox), code=TEMPFAIL)
