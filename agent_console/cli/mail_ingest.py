"""``agent-console mail ingest``: one mail taken in the way an MTA hands it to a program (Postfix ``pipe``, Exim,
procmail), answered with the exit status the MTA understands; ``mail fetch`` and the IMAP worker of ``mail run`` hand
each fetched mail to the same intake."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer

from agent_console.cli.common import ctx_obj, echo, fail, print_json
# The intake's outcomes as exit statuses (EX_DATAERR: the MTA bounces the mail; EX_TEMPFAIL: it tries again later).
from agent_console.domain.mail_intake_outcome import EX_DATAERR, EX_TEMPFAIL

#: sysexits.h: the input file cannot be read.
EX_NOINPUT = 66


def register_ingest(group: typer.Typer) -> None:
    @group.command("ingest")
    def ingest(
        ctx: typer.Context,
        file: Optional[Path] = typer.Argument(None, help="The mail (RFC 5322); standard input when not given."),
        server: Optional[str] = typer.Option(None, "--server", help="Hand the mail to the team server at this URL "
                                                                    "(needs --token)."),
        token: Optional[str] = typer.Option(None, "--token", envvar="AGENT_CONSOLE_TOKEN",
                                            help="An API token of the team server (`agent-console server tokens "
                                                 "create`); also $AGENT_CONSOLE_TOKEN."),
        token_file: Optional[Path] = typer.Option(None, "--token-file",
                                                  help="Read the API token from this file (not visible in ps)."),
        json_out: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
    ) -> None:
        """Take one mail in: a new case, a reply on its case, an automatic reply or a bounce. Exit status 0 when
        accepted, 65 when the mail can never be accepted (the reason on standard error), 75 when the store or the
        server cannot be reached (the MTA tries again later)."""
        raw = _read_mail(file)
        if token_file is not None:
            token = _read_token(token_file)
        outcome = take_mail(ctx_obj(ctx), raw, server=server, token=token)
        if outcome.error is not None:
            fail(outcome.error, outcome.status)
        if json_out:
            print_json(outcome.answer)
        else:
            echo(_outcome_line(outcome.answer))


@dataclass
class IngestOutcome:
    #: The exit status an MTA understands: 0, EX_DATAERR or EX_TEMPFAIL.
    status: int
    #: ``IntakeResult.as_json()`` when the mail was accepted.
    answer: dict | None = None
    #: Why not, for standard error.
    error: str | None = None


def take_mail(obj, raw: bytes, *, server: str | None = None, token: str | None = None) -> IngestOutcome:
    """One raw mail into the intake — the local store, or the team server with ``server`` and ``token`` — the way
    ``mail ingest`` takes it; never exits (``mail fetch`` takes many mails in one run)."""
    from agent_console.i18n import _

    if server:
        if not token:
            return IngestOutcome(EX_TEMPFAIL, error=_("--server needs --token (an API token of the team server)"))
        return _ingest_on_server(server, token, raw)
    return _ingest_locally(obj, raw)


def ingest_raw_mail(obj, raw: bytes, *, server: str | None = None, token: str | None = None) -> int:
    """``take_mail`` for ``mail fetch``: the exit status, a refusal's or failure's reason on standard error."""
    from rich.text import Text

    from agent_console.cli.common import console
    from agent_console.i18n import _

    outcome = take_mail(obj, raw, server=server, token=token)
    if outcome.error is not None:
        console(stderr=True).print(Text(_("error: "), style="bold red") + Text(outcome.error))
    return outcome.status


def _read_mail(file: Path | None) -> bytes:
    from agent_console.i18n import _

    if file is None:
        return sys.stdin.buffer.read()
    try:
        return file.read_bytes()
    except OSError as exc:
        fail(_("{file}: cannot read the mail: {reason}").format(file=file, reason=exc.strerror or exc), EX_NOINPUT)


def _read_token(path: Path) -> str:
    from agent_console.i18n import _

    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        fail(_("{file}: cannot read the token: {reason}").format(file=path, reason=getattr(exc, "strerror", None)
                                                                   or exc), EX_TEMPFAIL)


def _ingest_locally(obj, raw: bytes) -> IngestOutcome:
    from agent_console.config import SettingsError, load_settings, resolve_db_path
    from agent_console.domain.mail_intake import IntakeOptions
    from agent_console.domain.mail_intake_outcome import failure_outcome, take_in
    from agent_console.i18n import _
    from agent_console.store.db import open_store
    from agent_console.store.errors import explain
    from agent_console.store.sync_state import has_synced

    try:
        settings = load_settings()
        db_path = resolve_db_path(obj.db_option)
    except SettingsError as exc:
        return IngestOutcome(EX_TEMPFAIL, error=str(exc))
    if not settings.mail_from:
        return IngestOutcome(EX_TEMPFAIL, error=_(
            "set mail_from (the channel's sender address) in the settings file or $AGENT_CONSOLE_MAIL_FROM "
            "before taking mail in"))
    options = IntakeOptions.from_settings(settings)

    def explained(exc: BaseException) -> str | None:
        # A store that cannot be written or reached: the MTA keeps the mail and tries again. Anything the store
        # cannot explain is a bug and stays loud.
        return explain(exc, db_path)

    store = None
    try:
        store = open_store(db_path)
        with store.session() as session:
            if has_synced(session):
                return IngestOutcome(EX_TEMPFAIL, error=_(
                    "this store syncs with a team server, whose store takes the mail: use mail ingest --server URL "
                    "--token TOKEN"))
        outcome = take_in(store, obj.clock, raw, options, explained)
    except Exception as exc:  # noqa: BLE001 - opening the store: mapped (or re-raised) like the intake's failures
        outcome = failure_outcome(exc, explained)
    finally:
        if store is not None:
            store.dispose()
    return IngestOutcome(outcome.status, answer=outcome.result.as_json() if outcome.result else None,
                         error=outcome.error)


def _ingest_on_server(server: str, token: str, raw: bytes) -> IngestOutcome:
    from agent_console.i18n import _
    from agent_console.sync.client import BatchInvalid, SyncClient, SyncError

    try:
        with SyncClient(server, token) as client:
            return IngestOutcome(0, answer=client.ingest_mail(raw))
    except ValueError as exc:
        return IngestOutcome(EX_TEMPFAIL, error=str(exc))
    except BatchInvalid as exc:
        if exc.status == 422:
            return IngestOutcome(EX_DATAERR, error=_("mail refused: {reason}").format(reason=str(exc.detail)))
        return IngestOutcome(EX_TEMPFAIL, error=_("the server refused the mail: {reason}").format(reason=str(exc)))
    except SyncError as exc:
        return IngestOutcome(EX_TEMPFAIL, error=_("the mail was not taken (the MTA will try again): {reason}").format(
            reason=str(exc)))


def _outcome_line(answer: dict) -> str:
    from agent_console.i18n import _

    key = answer.get("case_key") or "—"
    if answer.get("duplicate"):
        return _("accepted: this mail was taken before ({case}); nothing stored again").format(case=key)
    outcome = answer.get("outcome")
    if outcome == "new_case":
        if answer.get("acknowledged"):
            return _("accepted: new case {case}, acknowledgement queued").format(case=key)
        return _("accepted: new case {case}").format(case=key)
    if outcome == "reply":
        return _("accepted: reply on case {case}").format(case=key)
    if outcome == "auto_reply":
        return _("accepted: automatic reply recorded on case {case}, not acknowledged").format(case=key)
    if outcome == "bounce":
        if answer.get("case_key"):
            return _("accepted: bounce recorded on case {case}: {detail}").format(case=key,
                                                                                   detail=answer.get("detail", ""))
        return _("accepted: bounce for no mail of ours: {detail}").format(detail=answer.get("detail", ""))
    return _("accepted: {outcome}").format(outcome=outcome)
