"""The console's side of the team server: the sync engine in background threads, what it pulled handed to the UI as
messages, and this agent's presence on the cases it has open (``TeamSync``, mixed into ``AgentConsoleApp``).

The engine's callbacks run in its threads; they only ever ``post_message`` (thread-safe, never waits on the UI), and
the app's handlers below pass the news on to the screens (``screens/messages.py``). Without a login nothing of the
HTTP client is imported.
"""

from __future__ import annotations

from functools import partial

from textual.message import Message

from agent_console.i18n import _
from agent_console.screens.messages import CasesChanged
from agent_console.widgets.presence_line import PresenceLine


class SyncedChanges(Message):
    """The sync engine pulled changes touching these local case ids (posted from its thread)."""

    def __init__(self, case_ids: frozenset[int]) -> None:
        super().__init__()
        self.case_ids = case_ids


class CallsChanged(Message):
    """The sync engine pulled calls that changed (ringing, answered, ended): their uids (posted from its thread).
    What rings for this agent now is ``domain.calls.ringing_for``."""

    def __init__(self, call_uids: frozenset[str]) -> None:
        super().__init__()
        self.call_uids = call_uids


class SyncStatusChanged(Message):
    def __init__(self, label: str, state: str = "", pending: int = 0) -> None:
        super().__init__()
        self.label = label
        #: The engine's state and pending ops, which the header names in the interface language.
        self.state = state
        self.pending = pending


class ColleaguePresenceArrived(Message):
    """A colleague's presence on a case, from the server's event stream (posted from the events thread)."""

    def __init__(self, presence) -> None:
        super().__init__()
        self.presence = presence


class SyncNotice(Message):
    """A conflict or a refusal from the server, for the agent to read."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


#: Seconds between renewals of this agent's presence on the cases it has open (the server forgets after 30 s).
PRESENCE_RENEW_S = 15.0


class TeamSync:
    """Mixed into the app (which has ``store``, ``clock``, ``colleagues``, ``sync_engine``, ``sync_status``,
    ``sync_detail``, ``_my_presence``, ``calls_pulled``, ``notify``, ``run_worker``)."""

    def start_sync(self) -> None:
        """Run the sync engine in background threads when the store is logged in; its callbacks come back as
        messages (``post_message`` is thread-safe and never waits on the UI)."""
        from agent_console.sync import credentials
        from agent_console.sync.credentials import CredentialsError

        try:
            if credentials.load(self.store.path) is None:
                return  # not logged in: no engine, and no HTTP client to import while the queue paints
            from agent_console.sync.engine import engine_for_store

            # One page per transaction: the agent's own writes never wait long behind a pull.
            engine = engine_for_store(
                self.store, self.clock, bulk_pages=1,
                on_status=lambda status: self.post_message(SyncStatusChanged(status.label(), status.state,
                                                                             status.pending)),
                on_notice=lambda notice: self.post_message(SyncNotice(notice.text())),
                on_changes=self._pulled,
                on_presence=lambda presence: self.post_message(ColleaguePresenceArrived(presence)))
        except CredentialsError as exc:
            self.notify(_("Not syncing: {error}").format(error=exc), title=_("Sync"), severity="error", markup=False)
            return
        if engine is None:
            return
        self.sync_engine = engine
        self.sync_status = "connecting"
        engine.start()
        self.set_interval(PRESENCE_RENEW_S, self._renew_presence)

    def _pulled(self, report) -> None:
        # Runs in the engine's thread: find the local ids there, then hand them to the UI.
        from agent_console.sync.engine import local_case_ids

        if report.call_uids:  # first: a ringing call is the most urgent news
            self.calls_pulled(report.call_uids)
        self.post_message(SyncedChanges(frozenset(local_case_ids(self.store, report.case_uids))))

    def on_sync_status_changed(self, message: SyncStatusChanged) -> None:
        self.sync_detail = (message.state, message.pending) if message.state else None
        self.sync_status = message.label

    def on_colleague_presence_arrived(self, message: ColleaguePresenceArrived) -> None:
        p = message.presence
        self.colleagues.apply(p.case_uid, p.login, p.name, p.activity, p.expires_in, self.clock.now())
        for widget in self.screen.query(PresenceLine):
            widget.show_colleagues()

    def announce_presence(self, case_uid: str, activity: str) -> None:
        """Tell colleagues (through the team server) that this agent is viewing, replying on or has left a case;
        only a change is sent at once, the rest is renewed every ``PRESENCE_RENEW_S``. Without a server: nothing."""
        if activity == "left":
            if self._my_presence.pop(case_uid, None) is None:
                return
        elif self._my_presence.get(case_uid) == activity:
            return
        else:
            self._my_presence[case_uid] = activity
        self._send_presence([(case_uid, activity)])

    def _renew_presence(self) -> None:
        if self._my_presence:
            self._send_presence(list(self._my_presence.items()))

    def _send_presence(self, announcements: list[tuple[str, str]]) -> None:
        engine = self.sync_engine
        if engine is None:
            return
        self.run_worker(partial(_announce, engine.client, announcements), thread=True, group="presence",
                        exit_on_error=False)

    def on_sync_notice(self, message: SyncNotice) -> None:
        self.notify(message.text, title=_("Sync conflict"), severity="warning", timeout=12, markup=False)

    def on_synced_changes(self, message: SyncedChanges) -> None:
        if not message.case_ids:
            return
        for screen in self.screen_stack:
            if screen.is_mounted:
                screen.post_message(CasesChanged(message.case_ids))

    def stop_sync(self) -> None:
        engine, self.sync_engine = self.sync_engine, None
        if engine is not None:
            engine.stop(timeout=0)  # daemon threads; a round cut off here resumes from the stored cursor


def _announce(client, announcements: list[tuple[str, str]]) -> None:
    """Send presence announcements (in a worker); a server that cannot be reached just misses them."""
    from agent_console.sync.client import SyncError

    for case_uid, activity in announcements:
        try:
            client.announce_presence(case_uid, activity)
        except SyncError:
            return
