"""Colleagues on a case, through a real server on 127.0.0.1: one sync client announces viewing / replying on a case,
another hears it on its event stream — only for queues it may see, never its own."""

from __future__ import annotations

import queue
import threading

import pytest

from agent_console.sync.client import BatchInvalid, Offline, Presence, SyncClient
from tests.server.conftest import new_case_op


class Listener:
    """A console's event stream in a thread, its colleagues' presence collected in arrival order."""

    def __init__(self, base_url: str, token: str) -> None:
        self.client = SyncClient(base_url, token)
        self.presence: queue.Queue[Presence] = queue.Queue()
        self.connected = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.connected.wait(30), "the event stream did not open"

    def _run(self) -> None:
        try:
            for _cursor in self.client.events(on_presence=self.presence.put):
                self.connected.set()
        except Offline:
            pass  # closed by the test

    def next(self) -> Presence:
        return self.presence.get(timeout=30)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def cases(live):
    billing = new_case_op("Billing", subject="Presence billing")
    technical = new_case_op("Technical", subject="Presence technical")
    response = live.ops("ben", billing, technical)
    assert response.status_code == 200, response.text
    return billing["payload"]["case"]["uid"], technical["payload"]["case"]["uid"]


def test_a_colleague_hears_who_is_replying_on_a_case_of_their_queue(live, cases):
    billing, technical = cases
    anna = Listener(live.base_url, live.token("anna"))  # an agent of the Billing queue only
    try:
        with SyncClient(live.base_url, live.token("ben")) as ben:
            ben.announce_presence(billing, "replying")
            heard = anna.next()
            assert (heard.case_uid, heard.login, heard.name, heard.activity) == (billing, "ben", "Ben Second",
                                                                                 "replying")
            assert heard.case_key and heard.expires_in > 0
            # A case of a queue anna may not see never reaches her: the next thing she hears is ben leaving.
            ben.announce_presence(technical, "viewing")
            ben.announce_presence(billing, "left")
            heard = anna.next()
            assert (heard.case_uid, heard.activity, heard.expires_in) == (billing, "left", 0)
    finally:
        anna.close()


def test_an_agent_does_not_hear_their_own_presence_and_cannot_announce_on_hidden_queues(live, cases):
    billing, technical = cases
    ben = Listener(live.base_url, live.token("ben"))
    try:
        with SyncClient(live.base_url, live.token("anna")) as anna, \
                SyncClient(live.base_url, live.token("ben")) as ben_again:
            ben_again.announce_presence(billing, "viewing")  # ben's own: not echoed to his stream
            anna.announce_presence(billing, "viewing")
            heard = ben.next()
            assert (heard.login, heard.activity) == ("anna", "viewing")
            with pytest.raises(BatchInvalid) as refused:
                anna.announce_presence(technical, "viewing")
            assert refused.value.status == 404
            with pytest.raises(BatchInvalid) as refused:
                anna.announce_presence(billing, "dancing")
            assert refused.value.status == 422
    finally:
        ben.close()
