"""Taking mail from an IMAP mailbox into the intake: one round (``mail fetch``) or watching it (``mail run``).

The order never loses or doubles a mail: each message is handed to ``deliver`` first and moved out of the mailbox
only after the intake has answered. Killed in between, the message is still there the next round and is delivered
again; the intake knows it (by Message-ID or the sha256 of the raw mail) and accepts it without a second case, and
then it is moved. What the intake refuses for good goes to the failed folder; on a temporary failure the message
stays where it is and the round ends (the store or the team server is away: the next messages would fail the same).
"""

from __future__ import annotations

import enum
import imaplib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from agent_console.i18n import _
from agent_console.mail.imap_client import (ImapLocation, ImapLoginRefused, ImapSession, ImapSettingsError,
                                            ImapUnavailable, broke_off, check_folder_name, open_session,
                                            parse_imap_url, read_password)

#: sysexits.h: what ``mail fetch`` exits with when the server or the intake is away for now.
EX_TEMPFAIL = 75


class Delivery(enum.Enum):
    ACCEPTED = "accepted"  # stored, or known already (a duplicate): move it to the done folder
    REFUSED = "refused"  # can never be accepted: move it to the failed folder
    TEMPORARY = "temporary"  # try again later: leave it in the mailbox


#: What the intake is: the raw bytes of one mail in, its outcome out.
Deliver = Callable[[bytes], Delivery]


@dataclass(frozen=True)
class ImapSettings:
    location: ImapLocation
    password: str
    done_folder: str
    failed_folder: str


def imap_settings(settings, environ: dict[str, str] | None = None) -> ImapSettings:
    """The IMAP part of the console's ``Settings`` (``imap_url``, ``imap_password_file`` / the environment,
    ``imap_done_folder``, ``imap_failed_folder``), checked; ``ImapSettingsError`` says what is wrong."""
    location = parse_imap_url(settings.imap_url)
    done = check_folder_name(settings.imap_done_folder, "imap_done_folder")
    failed = check_folder_name(settings.imap_failed_folder, "imap_failed_folder")
    if location.mailbox in (done, failed) or done == failed:
        raise ImapSettingsError(_("the IMAP mailbox, imap_done_folder and imap_failed_folder must be three "
                                  "different folders (got {mailbox!r}, {done!r}, {failed!r})").format(
            mailbox=location.mailbox, done=done, failed=failed))
    return ImapSettings(location, read_password(settings.imap_password_file, environ), done, failed)


@dataclass
class FetchReport:
    accepted: int = 0
    refused: int = 0
    #: Messages left in the mailbox because the intake failed for now (the round stops at the first of them).
    deferred: int = 0

    @property
    def temporary_failure(self) -> bool:
        return self.deferred > 0


def fetch_round(session: ImapSession, config: ImapSettings, deliver: Deliver,
                should_stop: Callable[[], bool] = lambda: False) -> FetchReport:
    """Deliver every message in the selected mailbox once and move it by the intake's answer."""
    report = FetchReport()
    session.select()
    uids = session.message_uids()
    for position, uid in enumerate(uids):
        if should_stop():
            break
        raw = session.fetch_raw(uid)
        if raw is None:  # gone meanwhile (another client moved it)
            continue
        outcome = deliver(raw)
        if outcome is Delivery.TEMPORARY:
            report.deferred = len(uids) - position
            break
        if outcome is Delivery.ACCEPTED:
            session.move(uid, config.done_folder)
            report.accepted += 1
        else:
            session.move(uid, config.failed_folder)
            report.refused += 1
    return report


def connect(config: ImapSettings, ssl_context=None) -> ImapSession:
    """Log in, make the done and failed folders if they are missing, select the mailbox."""
    session = open_session(config.location, config.password, ssl_context)
    try:
        session.ensure_folder(config.done_folder)
        session.ensure_folder(config.failed_folder)
        session.select()
    except (OSError, imaplib.IMAP4.error) as exc:
        session.close()
        raise ImapUnavailable(broke_off(config.location.host, exc)) from None
    except BaseException:
        session.close()
        raise
    return session


def fetch_once(config: ImapSettings, deliver: Deliver, ssl_context=None) -> FetchReport:
    """``mail fetch``: one round over the mailbox. ``ImapLoginRefused`` / ``ImapUnavailable`` when it cannot."""
    session = connect(config, ssl_context)
    try:
        return fetch_round(session, config, deliver)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapUnavailable(broke_off(config.location.host, exc)) from None
    finally:
        session.close()


@dataclass
class WatchTiming:
    #: How long one IDLE lasts before it is renewed (RFC 2177: servers may drop an idle client after 30 minutes).
    idle_renew_s: float = 600.0
    #: How often a server without IDLE is asked (NOOP + a new round).
    poll_s: float = 60.0
    #: Back-off after a failure: first wait, doubled each time up to the maximum.
    backoff_first_s: float = 1.0
    backoff_max_s: float = 300.0
    #: After a temporary failure of the intake, the next round comes this much later.
    retry_s: float = 30.0


def watch(settings, deliver: Deliver, stop_event: threading.Event, **options) -> None:
    """``mail run``'s IMAP side, from the console's ``Settings``: ``watch_mailbox`` until ``stop_event`` is set.
    Raises ``ImapSettingsError`` at once when the IMAP settings are missing or wrong (nothing to retry); after a
    refused log-in the password is read again (a corrected password file is used without a restart)."""
    watch_mailbox(imap_settings(settings), deliver, stop_event, reload=lambda: imap_settings(settings), **options)


def watch_mailbox(config: ImapSettings, deliver: Deliver, stop_event: threading.Event, *,
                  timing: WatchTiming | None = None, report: Callable[[str], None] = lambda line: None,
                  ssl_context=None, on_round: Callable[[FetchReport], None] = lambda r: None,
                  reload: Callable[[], ImapSettings] | None = None) -> None:
    """Fetch, then wait for new mail — IDLE where the server has it, else NOOP polling — until
    ``stop_event`` is set. A broken connection, a server that is down or a refused log-in is reported (``report``,
    one line) and tried again after a back-off that doubles up to ``backoff_max_s``; ``reload`` gives the settings
    anew after a refused log-in."""
    timing = timing or WatchTiming()
    delay = timing.backoff_first_s
    while not stop_event.is_set():
        try:
            session = connect(config, ssl_context)
        except (ImapUnavailable, ImapLoginRefused) as exc:
            report(str(exc))
            stop_event.wait(delay)
            delay = min(delay * 2, timing.backoff_max_s)
            if isinstance(exc, ImapLoginRefused) and reload is not None:
                try:
                    config = reload()
                except ImapSettingsError as error:
                    report(str(error))
            continue
        delay = timing.backoff_first_s
        try:
            _watch_session(session, config, deliver, stop_event, timing, on_round)
        except (OSError, imaplib.IMAP4.error, ImapUnavailable) as exc:
            report(str(exc) if isinstance(exc, ImapUnavailable) else broke_off(config.location.host, exc))
            stop_event.wait(delay)
            delay = min(delay * 2, timing.backoff_max_s)
        finally:
            session.close()


def _watch_session(session: ImapSession, config: ImapSettings, deliver: Deliver, stop_event: threading.Event,
                   timing: WatchTiming, on_round: Callable[[FetchReport], None]) -> None:
    while not stop_event.is_set():
        result = fetch_round(session, config, deliver, stop_event.is_set)
        on_round(result)
        if result.temporary_failure:
            if stop_event.wait(timing.retry_s):
                return
            continue
        if session.idle_supported():
            session.idle(timing.idle_renew_s, stop_event.is_set)
        else:
            if stop_event.wait(timing.poll_s):
                return
            session.command("noop")
