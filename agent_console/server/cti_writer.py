"""One writer thread takes the call events of ``POST /api/v1/cti/events`` and records the waiting ones together.

A telephone system sends one request per event, a busy one hundreds a second. Recorded one by one through the ORM
(a transaction, an ORM unit of work and a feed row each) an event cost ~13 ms of the server's CPU: 77 events/s, and
the agents' ``/ops`` waited behind them. Here the event loop hands each parsed event to this thread and awaits its
answer; the thread takes every event that queued up meanwhile and records them in ONE write transaction with plain
statements (:mod:`agent_console.store.call_writes`): one commit, one feed row per changed call. Each request is
answered only after that commit, so an answered event is durable, as before. The rules are the domain's
(:func:`agent_console.domain.calls.apply_event`, as the console's ``record_event`` applies them), so idempotency
and any order of arrival hold as they do there. Should a group fail, each of its events is retried in a transaction
of its own, so one bad event fails alone and nothing is written twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

import orjson

from agent_console.domain.calls import CallEvent, apply_event, event_time, has_event, new_call_values
from agent_console.domain.recording import audit_values
from agent_console.i18n import language_scope
from agent_console.server.auth import principal_for
from agent_console.server.group_writer import GroupWriter, settle
from agent_console.store import call_writes
from agent_console.store.models import Call
from agent_console.store.server_feed import TRACKED, append_change_log, row_dict

log = logging.getLogger(__name__)

#: At most this many events share one transaction (a full queue drains in several).
MAX_GROUP = 200


def state_name(call) -> str:
    """ringing, talking, ended or missed: what the route answers."""
    if call.missed:
        return "missed"
    if call.ended_at is not None:
        return "ended"
    return "talking" if call.answered_at is not None else "ringing"


@dataclass(frozen=True)
class BearerToken:
    """A request's token, checked by the writer thread (see :meth:`CallEventWriter.record_for_token`)."""

    token: str


class CallEventWriter(GroupWriter):
    thread_name = "cti-writer"

    def __init__(self, store, clock, max_group: int = MAX_GROUP) -> None:
        super().__init__(store, clock, max_group)

    async def record(self, actor_id: int | None, event: CallEvent) -> dict:
        """The call's answer (``call_id``, ``call_uid``, ``applied``, ``state``, ``customer_uid``, ``case_key``)
        once the event is committed."""
        return await self._submit(actor_id, event)

    async def record_for_token(self, token: str, event: CallEvent) -> dict | None:
        """As :meth:`record` for the agent behind ``token``, checked here as the app's ``caller`` dependency checks
        it (valid, not revoked nor expired, an active account, no wallboard token) and allowed ``event``'s queue;
        None, and nothing recorded, when it is not (the route then answers why). The check runs on the writer's
        thread, once for all the group's events with the same token: the event loop does no database read for
        the event at all."""
        return await self._submit(BearerToken(token), event)

    def _apply(self, waiting: list) -> None:
        try:
            with language_scope(waiting[0][4]):
                answers = record_events(self.store, self.clock, [(actor, event) for actor, event, *_ in waiting])
        except Exception:
            if len(waiting) > 1:
                log.warning("a group of %d call events failed; recording them one by one", len(waiting),
                            exc_info=True)
            for actor, event, loop, future, language in waiting:
                try:
                    with language_scope(language):
                        answer = record_events(self.store, self.clock, [(actor, event)])[0]
                except Exception as exc:  # the request answers with it (503 … by the app's handlers)
                    settle(loop, future, None, exc)
                else:
                    settle(loop, future, answer, None)
            return
        for (_actor, _event, loop, future, _language), answer in zip(waiting, answers):
            settle(loop, future, answer, None)


def record_events(store, clock, events: list[tuple[int | BearerToken | None, CallEvent]]) -> list[dict | None]:
    """Records ``(acting agent's id, event)`` pairs in order in one write transaction of the server's ``store`` and
    returns each one's answer; the changed calls go into the feed once each, as the ORM path's would. An event sent
    with a :class:`BearerToken` instead is recorded for the agent behind it, or — a token or queue the route would
    refuse — not at all, answered None.

    The group's calls are read with one statement, the events applied to them in memory in order (each answered as
    it stood after its event), and the changed calls written back with one statement for the new ones and one for
    the others: a handful of statements per group, whatever its size."""
    now = clock.now()
    #: (answer without its uids, customer id, case id); None for an event refused
    pending: list[tuple[dict, int | None, int | None] | None] = []
    changed: dict[str, call_writes.CallRow] = {}
    applied: list[tuple[int | None, CallEvent, call_writes.CallRow]] = []
    with store.write_connection() as conn:
        events = _with_callers(conn, now, events)
        lookups = call_writes.RowLookups(conn, [event.call_id for actor, event in events if actor is not _REFUSED],
                                         list(dict.fromkeys(name for actor, event in events if actor is not _REFUSED
                                                            for name in event.users)))
        for actor_id, event in events:
            if actor_id is _REFUSED:
                pending.append(None)
                continue
            at = event_time(event, now)
            call = lookups.calls.get(event.call_id)
            if call is None:
                call = lookups.calls[event.call_id] = call_writes.new_call_row(new_call_values(event, at, now))
            elif has_event(call, event.event):
                pending.append(_answer_of(call, applied=False))
                continue
            for earlier in apply_event(call, event, at, now, lookups):
                changed[earlier.call_id] = earlier
            changed[call.call_id] = call
            applied.append((actor_id, event, call))
            pending.append(_answer_of(call, applied=True))
        call_writes.save_calls(conn, list(changed.values()))
        call_writes.insert_audit_events(conn, [audit_values(now, actor_id, f"call.{event.event}", "call", call.id,
                                                            call_id=event.call_id)
                                               for actor_id, event, call in applied])
        references = call_writes.CallReferences(conn, lookups.known_logins())
        last_seq = append_change_log(conn, store.dialect, _feed_rows(references, list(changed.values())), clock) \
            if changed else None
        answers = [{**item[0], "customer_uid": references.customer_uid(item[1]),
                    "case_key": references.case_key(item[2])} if item is not None else None for item in pending]
    store.announce(last_seq)
    return answers


#: An event whose token or queue the route would refuse.
_REFUSED = object()


def _with_callers(conn, now, events: list) -> list:
    """The events with each token replaced by its agent's id — checked as the app's ``caller`` dependency checks it
    (valid, not revoked nor expired, an active account, no wallboard token) and allowed the event's queue — or by
    ``_REFUSED``; each token looked up once, in the group's transaction."""
    principals: dict[str, object] = {}
    found = []
    for actor, event in events:
        if isinstance(actor, BearerToken):
            if actor.token not in principals:
                principals[actor.token] = principal_for(conn, actor.token, now)
            principal = principals[actor.token]
            refused = principal is None or principal.token_kind == "wallboard" or bool(
                event.queue and not principal.may_see_queue(event.queue))
            actor = _REFUSED if refused else principal.agent_id
        found.append((actor, event))
    return found


def _answer_of(call, *, applied: bool) -> tuple[dict, int | None, int | None]:
    """The route's answer for ``call`` as it stands now, its customer's and case's uids still to be looked up."""
    return ({"call_id": call.call_id, "call_uid": call.uid, "applied": applied, "state": state_name(call)},
            call.customer_id, call.case_id)


def _feed_rows(references: call_writes.CallReferences, calls: list) -> list[tuple[str, str, str, str | None]]:
    """The feed's rows of the changed calls, byte for byte what ``server_feed.serialise_changes`` makes of them."""
    for call in calls:
        references.add(call)
    refs = references.refs
    rows = []
    for call in calls:
        data = row_dict(Call, partial(getattr, call), refs)
        queue_name = refs["case_queue"].get(call.case_id) if call.case_id is not None else None
        rows.append((TRACKED[Call], call.uid, orjson.dumps(data).decode(), queue_name))
    return rows
