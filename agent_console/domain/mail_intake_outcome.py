"""What became of one mail handed to the intake, as its callers answer: ``mail ingest`` with the exit status an MTA
understands, ``mail fetch`` and ``mail run``'s mailbox thread by the folder the mail is moved to. The one mapping of
the intake's exceptions to those outcomes is :func:`failure_outcome`.

Light at import (``cli/mail_ingest.py`` reads the exit statuses at start-up): the intake itself is imported when used."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_console.domain.mail_intake import IntakeOptions, IntakeResult

#: sysexits.h: the mail was taken (or was known already) …
EX_OK = 0
#: … it can never be accepted: the MTA bounces it, the mailbox's mail goes to the failed folder …
EX_DATAERR = 65
#: … or not now (store or server unreachable, gateway set up wrongly): the MTA keeps it and tries again, the
#: mailbox's mail stays where it is.
EX_TEMPFAIL = 75

#: Turns a failure the intake does not know into a one-line reason, or None when it is a bug (then it propagates).
Explain = Callable[[BaseException], "str | None"]


@dataclass(frozen=True)
class IntakeOutcome:
    #: EX_OK, EX_DATAERR or EX_TEMPFAIL.
    status: int
    #: What the intake made of the mail (EX_OK only).
    result: "IntakeResult | None" = None
    #: Why not (for standard error, or the gateway's log).
    error: str | None = None


def failure_outcome(exc: BaseException, explain: Explain) -> IntakeOutcome:
    """The outcome of a mail whose intake (or the opening of its store) raised ``exc``: refused for good
    (``MailRefused``), or to be tried again (the gateway set up wrongly, a store that cannot be used, anything
    ``explain`` can say in a line). Re-raises ``exc`` when ``explain`` cannot: a bug stays loud."""
    from agent_console.domain.mail_intake import IntakeSetupError, MailRefused
    from agent_console.i18n import _
    from agent_console.store.db import StoreError

    if isinstance(exc, MailRefused):
        return IntakeOutcome(EX_DATAERR, error=_("mail refused: {reason}").format(reason=str(exc)))
    if isinstance(exc, (IntakeSetupError, StoreError)):
        return IntakeOutcome(EX_TEMPFAIL, error=str(exc))
    reason = explain(exc)
    if reason is None:
        raise exc
    return IntakeOutcome(EX_TEMPFAIL, error=reason)


def take_in(writer, clock, raw: bytes, options: "IntakeOptions", explain: Explain) -> IntakeOutcome:
    """``mail_intake.ingest`` of one raw mail into ``writer`` (a store or a kept writer), with its failures mapped
    by :func:`failure_outcome`."""
    from agent_console.domain.mail_intake import ingest

    try:
        return IntakeOutcome(EX_OK, result=ingest(writer, clock, raw, options))
    except Exception as exc:  # noqa: BLE001 - mapped (or re-raised) by the one mapping
        return failure_outcome(exc, explain)
