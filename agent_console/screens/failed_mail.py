"""The console tells its agent when a reply could not be mailed (the mail failed for good): a notification naming the
case and the SMTP server's reply, beside the red mark on the message in the thread — for the mail this store sends
when it works alone, and for the mail the team server sends, whose state the change feed brings to a synced store."""

from __future__ import annotations

#: Seconds between two looks at the outbox for newly failed mails.
FAILED_MAIL_CHECK_S = 5.0


class FailedMailNotices:
    """Mixed into the app (which has ``store``, ``reply_mail_from``, ``notify``, ``set_interval``, ``run_worker``)."""

    _failed_mail_seen: set[int] | None = None

    def start_failed_mail_watch(self, interval_s: float = FAILED_MAIL_CHECK_S) -> None:
        if not self.reply_mail_from and not self._mail_state_from_server():
            return  # this store queues no mail and syncs with no server: no mail of its replies can fail
        self.set_interval(interval_s, self.check_failed_mail)
        self.check_failed_mail()

    def _mail_state_from_server(self) -> bool:
        """A store that syncs with a team server: the server mails its replies, and the change feed brings how each
        mail stands (a failure among them is told here like one of this store's own)."""
        from agent_console.sync.mail_role import works_alone

        return not works_alone(self.store)

    def check_failed_mail(self) -> None:
        self.run_worker(self._read_failed_mail, thread=True, group="failed-mail", exclusive=True,
                        exit_on_error=False)

    def _read_failed_mail(self) -> None:
        from agent_console.domain.mail_state import mail_state_text
        from agent_console.i18n import _
        from agent_console.store.mail_outbox import failed_mails

        with self.store.session() as session:
            failed = failed_mails(session)
        if self._failed_mail_seen is None:  # failures from before this session were shown on their messages
            self._failed_mail_seen = {outbox_id for outbox_id, _key, _error in failed}
            return
        for outbox_id, key, error in reversed(failed):
            if outbox_id in self._failed_mail_seen:
                continue
            self._failed_mail_seen.add(outbox_id)
            text = _("The reply on {case} was not delivered: {state}").format(
                case=key, state=mail_state_text("failed", error))
            self.call_from_thread(self.notify, text, title=_("E-mail"), severity="error", timeout=15, markup=False)
