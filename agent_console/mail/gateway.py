"""The mail gateway: works the outbox (``mail send`` once, ``mail run`` for good) and hosts the intake workers.

Each attempt is three steps, so that a gateway killed at any moment loses no mail: the row is marked ``sending`` and
committed, the mail goes to the SMTP server, the outcome is committed (``sent``; ``queued`` again with a back-off
after a temporary failure; ``failed`` with the server's reply after a permanent one). A row still ``sending`` at the
next start is sent again with the same Message-ID (at least once; see docs/mail.md).

``mail run`` also runs the workers registered with :meth:`Gateway.add_worker` (IMAP fetching plugs in there), each
in its own thread until the gateway stops."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from agent_console.domain.mail_retry import gives_up, retry_delay
from agent_console.mail.compose import MailComposeError, OutgoingMail, compose_reply
from agent_console.mail.smtp import SmtpFailure, SmtpTarget, deliver
from agent_console.store import mail_outbox

log = logging.getLogger("agent_console.mail")

#: Longest wait between two looks at the outbox while ``mail run`` is idle: a new reply leaves within it.
POLL_S = 0.5

#: A worker runs until the event is set (then returns promptly).
Worker = Callable[[threading.Event], None]


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0

    @property
    def attempts(self) -> int:
        return self.sent + self.retried + self.failed


@dataclass
class MailSender:
    store: object
    clock: object
    target: SmtpTarget
    mail_from: str
    tls_context: object | None = None
    #: The team server's public address for the survey links a reply's ``{survey_link}`` becomes ("": left out).
    survey_base_url: str = ""

    def recover_interrupted(self) -> int:
        with self.store.transaction() as session:
            count = mail_outbox.requeue_interrupted(session, self.clock.now())
        if count:
            log.warning("%d mail(s) left 'sending' by an interrupted gateway are sent again with their Message-ID",
                        count)
        return count

    def send_due(self, report: SendReport | None = None, stop: threading.Event | None = None) -> SendReport:
        """One pass over the mails due now."""
        report = report or SendReport()
        with self.store.session() as session:
            due = mail_outbox.due_ids(session, self.clock.now())
        for outbox_id in due:
            if stop is not None and stop.is_set():
                break
            self.attempt(outbox_id, report)
        return report

    def attempt(self, outbox_id: int, report: SendReport) -> None:
        with self.store.transaction() as session:
            mail = mail_outbox.start_attempt(session, outbox_id)
        if mail is None:
            return
        body = self._with_survey_link(mail)
        try:
            message = compose_reply(OutgoingMail(
                mail_from=self.mail_from, recipient=mail.recipient, subject=mail.subject,
                message_id=mail.mail_message_id, in_reply_to=mail.in_reply_to, references=mail.references,
                body=body), self.clock.now())
            deliver(self.target, message, tls_context=self.tls_context)
        except MailComposeError as exc:
            self._finish(mail, report, failed=f"not sent: {exc}")
        except SmtpFailure as exc:
            if exc.permanent or gives_up(mail.attempts):
                self._finish(mail, report, failed=exc.reply)
            else:
                self._finish(mail, report, retry=exc.reply)
        else:
            self._finish(mail, report)

    def _with_survey_link(self, mail: mail_outbox.MailToSend) -> str:
        """The mail's text with ``{survey_link}`` made into a new survey link (only its hash is stored, so the link
        is made here, as the mail goes out, and is in no stored text)."""
        from agent_console.domain.surveys import SURVEY_PLACEHOLDER, fill_survey_link

        if SURVEY_PLACEHOLDER not in mail.body:
            return mail.body
        with self.store.transaction() as session:
            return fill_survey_link(session, mail.case_key, mail.body, self.clock.now(), self.survey_base_url)

    def _finish(self, mail: mail_outbox.MailToSend, report: SendReport, *, failed: str | None = None,
                retry: str | None = None) -> None:
        now = self.clock.now()
        with self.store.transaction() as session:
            if failed is not None:
                mail_outbox.mark_failed(session, mail.outbox_id, failed)
            elif retry is not None:
                mail_outbox.mark_retry(session, mail.outbox_id, retry, now + retry_delay(mail.attempts))
            else:
                mail_outbox.mark_sent(session, mail.outbox_id, now)
        if failed is not None:
            report.failed += 1
            log.error("%s %s to %s failed: %s", mail.case_key, mail.mail_message_id, mail.recipient, failed)
        elif retry is not None:
            report.retried += 1
            log.warning("%s %s to %s: attempt %d did not go through (%s); retried in %s", mail.case_key,
                        mail.mail_message_id, mail.recipient, mail.attempts, retry, retry_delay(mail.attempts))
        else:
            report.sent += 1
            log.info("%s %s sent to %s", mail.case_key, mail.mail_message_id, mail.recipient)


@dataclass
class Gateway:
    """``mail run``: the send loop in the calling thread, the workers beside it, until :meth:`stop`."""

    sender: MailSender
    poll_s: float = POLL_S
    stopping: threading.Event = field(default_factory=threading.Event)
    workers: list[tuple[str, Worker]] = field(default_factory=list)
    #: Set when a worker failed (and so stopped the gateway): its name and the error, for the exit status.
    worker_error: str | None = None

    def add_worker(self, name: str, worker: Worker) -> None:
        """Run ``worker(stop_event)`` in a thread of its own beside the send loop (e.g. the IMAP fetcher)."""
        self.workers.append((name, worker))

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> SendReport:
        report = SendReport(recovered=self.sender.recover_interrupted())
        threads = [threading.Thread(target=self._guarded, args=(name, worker), name=f"mail-{name}", daemon=True)
                   for name, worker in self.workers]
        for thread in threads:
            thread.start()
        log.info("mail gateway running (send loop%s)", "".join(f", {name}" for name, _ in self.workers))
        try:
            while not self.stopping.is_set():
                try:
                    self.sender.send_due(report, self.stopping)
                except Exception as exc:  # the store went away for a moment: log, keep going, never lose the loop
                    log.error("the send loop failed (%s); trying again", _one_line(exc))
                self.stopping.wait(self.poll_s)
        finally:
            self.stopping.set()
            for thread in threads:
                thread.join()
            log.info("mail gateway stopped: %d sent, %d to retry, %d failed", report.sent, report.retried,
                     report.failed)
        return report

    def _guarded(self, name: str, worker: Worker) -> None:
        try:
            worker(self.stopping)
        except Exception as exc:
            self.worker_error = f"{name}: {_one_line(exc)}"
            log.error("the %s worker stopped with an error (%s); the gateway stops", name, _one_line(exc))
            self.stopping.set()


def _one_line(exc: Exception) -> str:
    """An error for the log without its traceback or the SQL parameters (customer data) a database error carries."""
    text = str(getattr(exc, "orig", None) or exc).splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
