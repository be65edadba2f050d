"""Calls from the telephone system: the generic CTI events (``newCall``, ``answer``, ``hangup``) recorded as calls.

The same rules run on the team server (``POST /api/v1/cti/events``, and a console's recorded events arriving as
``cti.event`` ops) and on a console's own store (``agent-console cti event``):

* an event is idempotent by call id and event: the second ``answer`` of a call changes nothing;
* each event fills only its own columns (``newCall`` the start, who it rings for and the numbers; ``answer`` who
  answered; ``hangup`` the end and its cause), and ``newCall``'s numbers win over the others' — so the call is the
  same whatever order its events arrive in (an ``answer`` before its ``newCall``, a ``hangup`` for a call never
  announced);
* what follows from them is derived after every event: the customer (by the other party's number in E.164), the
  case (the customer's open case, else their latest), whether the call was missed (inbound, ended, never answered,
  not forwarded), and — when a call with a number is answered — that the earlier missed calls of that number have
  been called back.

Times are when the event arrived (the generic format carries none), or, for an event an offline console recorded,
when it arrived there.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from agent_console.domain.clock import Clock
from agent_console.domain.phone_numbers import NumberError, is_withheld, normalise_number
from agent_console.domain.recording import audit, enqueue_payload
from agent_console.domain.text import clean_text
from agent_console.i18n import _
from agent_console.store import call_queries, queries
from agent_console.store.models import Agent, Call

EVENTS = ("newCall", "answer", "hangup")
DIRECTIONS = ("in", "out")
CAUSES = ("normalClearing", "busy", "cancel", "noAnswer", "congestion", "notFound", "forwarded")
#: Telephone systems spell some causes differently; the generic names are kept.
_CAUSE_NAMES = {cause.lower(): cause for cause in CAUSES}
#: Limits of the fields (the columns' sizes).
CALL_ID_MAX = 200
NUMBER_MAX = 64
NAME_MAX = 64
USERS_MAX = 50
#: A fixed namespace: the uid of a call is the same on every replica (uuid5 of its call id).
_CALL_NAMESPACE = uuid.UUID("6a0c3c1e-4d2b-5f7e-9a41-0c7a11e0c7a1")


class CallEventError(ValueError):
    """A call event that cannot be recorded; ``field`` names the field that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class CallEvent:
    event: str
    call_id: str
    direction: str = "in"
    from_number: str = ""
    to_number: str = ""
    users: tuple[str, ...] = ()
    queue: str | None = None
    cause: str | None = None
    answering_number: str | None = None
    #: When it happened, if known (an event recorded offline); else when it arrives.
    at: datetime | None = None

    def payload(self) -> dict:
        """The event in the generic format (what a console sends the server in a ``cti.event`` op)."""
        data = {"event": self.event, "callId": self.call_id, "direction": self.direction, "from": self.from_number,
                "to": self.to_number, "user": list(self.users)}
        for key, value in (("queue", self.queue), ("cause", self.cause), ("answeringNumber", self.answering_number),
                           ("at", self.at.isoformat() if self.at else None)):
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class Recorded:
    call: Call
    #: False when the call had this event already (a duplicate changes nothing).
    applied: bool


def call_uid(call_id: str) -> str:
    return str(uuid.uuid5(_CALL_NAMESPACE, call_id))


def _text(values: Mapping, field: str, *names: str, limit: int, required: bool = False) -> str:
    raw = next((values[name] for name in (field, *names) if values.get(name) not in (None, "")), None)
    if raw is None:
        if required:
            raise CallEventError(field, _("missing"))
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise CallEventError(field, _("text expected"))
    text = clean_text(str(raw)).strip()
    if len(text) > limit:
        raise CallEventError(field, _("too long ({count} characters; at most {limit})").format(
            count=len(text), limit=limit))
    if required and not text:
        raise CallEventError(field, _("empty"))
    return text


def _users(values: Mapping) -> tuple[str, ...]:
    raw = next((values[name] for name in ("user", "user[]", "users") if values.get(name) is not None), [])
    items = [raw] if isinstance(raw, (str, int)) and not isinstance(raw, bool) else raw
    if not isinstance(items, (list, tuple)):
        raise CallEventError("user", _("a list of logins or extensions expected"))
    if len(items) > USERS_MAX:
        raise CallEventError("user", _("too many ({count}; at most {limit})").format(count=len(items),
                                                                                       limit=USERS_MAX))
    users = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise CallEventError("user", _("a list of logins or extensions expected"))
        name = clean_text(str(item)).strip()
        if len(name) > NAME_MAX or "," in name:
            raise CallEventError("user", _("{name} is not a login or an extension").format(
                name=repr(name[:NAME_MAX])))
        if name and name not in users:
            users.append(name)
    return tuple(users)


def parse_event(values: Mapping, *, at: datetime | None = None) -> CallEvent:
    """A call event from the generic CTI format's fields (JSON or form: ``callId``, ``from``, ``to``, ``direction``,
    ``user``/``user[]``, ``queue``, ``cause``, ``answeringNumber``). Raises :class:`CallEventError` naming the
    field that is wrong."""
    event = _text(values, "event", limit=16, required=True)
    if event not in EVENTS:
        raise CallEventError("event", _("{value} is not one of {choices}").format(value=repr(event),
                                                                                 choices=", ".join(EVENTS)))
    call_id = _text(values, "callId", "call_id", limit=CALL_ID_MAX, required=True)
    direction = _text(values, "direction", limit=8, required=event == "newCall") or "in"
    if direction not in DIRECTIONS:
        raise CallEventError("direction", _("{value} is not in or out").format(value=repr(direction)))
    cause = _text(values, "cause", limit=24) or None
    if cause is not None:
        cause = _CAUSE_NAMES.get(cause.lower())
        if cause is None:
            raise CallEventError("cause", _("not one of {choices}").format(choices=", ".join(CAUSES)))
    from_number = _text(values, "from", "from_number", limit=NUMBER_MAX)
    to_number = _text(values, "to", "to_number", limit=NUMBER_MAX)
    for field, number in (("from", from_number), ("to", to_number)):
        if number and not is_withheld(number) and any(ch.isalpha() for ch in number):
            raise CallEventError(field, _("{number} is not a phone number").format(number=repr(number)))
    return CallEvent(event=event, call_id=call_id, direction=direction, from_number=from_number,
                     to_number=to_number, users=_users(values), queue=_text(values, "queue", limit=64) or None,
                     cause=cause, answering_number=_text(values, "answeringNumber", "answering_number",
                                                         limit=NUMBER_MAX) or None, at=at)


def other_party(direction: str, from_number: str, to_number: str) -> tuple[str | None, bool]:
    """(the customer's number in E.164 or None, whether they withheld it): the caller of an inbound call, the
    callee of an outbound one. A number that is no phone number (an internal extension) gives None."""
    raw = from_number if direction == "in" else to_number
    if is_withheld(raw):
        return None, True
    try:
        return normalise_number(raw), False
    except NumberError:
        return None, False


class SessionLookups:
    """What the rules look up, in an ORM session (the console's store, the server's op batches). The server's batched
    path for ``POST /cti/events`` has the same lookups as plain statements (``store.call_writes.RowLookups``)."""

    def __init__(self, session) -> None:
        self.session = session

    def agents_named(self, names: list[str]) -> dict:
        return call_queries.agents_named(self.session, names)

    def agent_with_extension(self, number: str):
        return call_queries.agent_with_extension(self.session, number)

    def customer_id_with_phone(self, number: str) -> int | None:
        customer = queries.customer_by_phone(self.session, number)
        return customer.id if customer is not None else None

    def case_id_for_customer(self, customer_id: int) -> int | None:
        case = call_queries.case_for_customer(self.session, customer_id)
        return case.id if case is not None else None

    def to_call_back(self, number: str) -> list:
        return call_queries.to_call_back(self.session, number)


def event_time(event: CallEvent, now: datetime) -> datetime:
    """When the event happened: when it arrived, or, for one recorded offline, then (never later than now)."""
    return min(event.at, now) if event.at is not None else now


def new_call_values(event: CallEvent, at: datetime, now: datetime) -> dict:
    """The columns of a call's row before its first event is applied."""
    return {"uid": call_uid(event.call_id), "call_id": event.call_id, "direction": event.direction,
            "first_seen_at": at, "updated_at": now, "version": 0}


def record_event(session, clock: Clock, event: CallEvent, *, actor: Agent | None = None) -> Recorded:
    """Records ``event`` on its call in ``session``'s transaction (the caller commits)."""
    now = clock.now()
    at = event_time(event, now)
    call = call_queries.call_by_call_id(session, event.call_id)
    if call is None:
        call = Call(**new_call_values(event, at, now))
        session.add(call)
    elif has_event(call, event.event):
        return Recorded(call, applied=False)
    with session.no_autoflush:
        apply_event(call, event, at, now, SessionLookups(session))
    session.flush()
    audit(session, now, actor.id if actor else None, f"call.{event.event}", "call", call.id,
          call_id=event.call_id)
    enqueue_payload(session, now, "cti.event", {**event.payload(), "at": at.isoformat()})
    return Recorded(call, applied=True)


def apply_event(call, event: CallEvent, at: datetime, now: datetime, lookups) -> list:
    """The rules of one event that ``call`` has not had yet, applied to ``call`` (a ``Call`` or a row's values with
    the same attributes); ``lookups`` as :class:`SessionLookups`. Returns the earlier calls it marked called back
    (changed the same way)."""
    agents = lookups.agents_named(list(event.users))
    number_before = call.number
    # A login and that agent's extension both named: the call rings for the agent once.
    _fill_parties(call, event, list(dict.fromkeys(agents[name].login if name in agents else name
                                                  for name in event.users)))
    call.first_seen_at = min(call.first_seen_at, at)
    if event.event == "newCall":
        call.started_at = at
    elif event.event == "answer":
        call.answered_at = at
        call.answering_number = event.answering_number or call.answering_number
        answering = next((agents[name] for name in event.users if name in agents), None)
        if answering is None and event.answering_number:
            answering = lookups.agent_with_extension(event.answering_number)
        if answering is not None:
            call.answered_by_id = answering.id
    else:
        call.ended_at = at
        call.cause = event.cause or "normalClearing"
        call.answering_number = call.answering_number or event.answering_number
    # What follows from the call's number is looked up again only when the number may have changed (or, for
    # the call-back rule, when the call was just answered): most events of a call change neither.
    called_back = _derive(lookups, call, at, number_changed=call.version == 0 or call.number != number_before,
                          answered_now=event.event == "answer")
    call.updated_at = now
    call.version += 1
    return called_back


def has_event(call, event: str) -> bool:
    """Whether ``call`` had ``event`` already (a second one changes nothing)."""
    return {"newCall": call.started_at, "answer": call.answered_at, "hangup": call.ended_at}[event] is not None


def _fill_parties(call, event: CallEvent, ringing: list[str]) -> None:
    """The numbers, direction, queue and who it rings for: ``newCall``'s win; another event only fills gaps."""
    authoritative = event.event == "newCall"
    if authoritative or call.started_at is None and not call.from_number and not call.to_number:
        call.direction = event.direction
    for column, value in (("from_number", event.from_number), ("to_number", event.to_number),
                          ("queue", event.queue)):
        if value and (authoritative or not getattr(call, column)):
            setattr(call, column, value)
    if ringing and (authoritative or not call.ringing):
        call.ringing = ",".join(ringing)
    call.number, call.withheld = other_party(call.direction, call.from_number, call.to_number)


def _derive(lookups, call, at: datetime, *, number_changed: bool, answered_now: bool) -> list:
    call.missed = (call.direction == "in" and call.ended_at is not None and call.answered_at is None
                   and call.cause != "forwarded")
    if call.customer_id is None and call.number and number_changed:
        call.customer_id = lookups.customer_id_with_phone(call.number)
    if call.case_id is None and call.customer_id is not None:
        call.case_id = lookups.case_id_for_customer(call.customer_id)
    called_back = []
    if call.answered_at is not None and call.number and (answered_now or number_changed):
        for earlier in lookups.to_call_back(call.number):
            if earlier.uid != call.uid:  # (a call of the group may have no id yet)
                earlier.called_back_at = at
                earlier.called_back_by_id = call.answered_by_id
                earlier.version += 1
                called_back.append(earlier)
    return called_back


def mark_called_back(session, clock: Clock, call_id: str, agent: Agent | None) -> Call:
    """Marks a missed call as called back (by ``agent``). Raises :class:`CallEventError` for an unknown call or one
    that was not missed."""
    call = call_queries.call_by_call_id(session, call_id)
    if call is None:
        raise CallEventError("callId", _("no call {call}").format(call=repr(call_id)))
    if not call.missed:
        raise CallEventError("callId", _("the call {call} was not missed").format(call=repr(call_id)))
    if call.called_back_at is None:
        now = clock.now()
        call.called_back_at = now
        call.called_back_by_id = agent.id if agent else None
        call.updated_at = now
        call.version += 1
        audit(session, now, agent.id if agent else None, "call.called_back", "call", call.id, call_id=call_id)
        enqueue_payload(session, now, "cti.called_back", {"callId": call_id, "at": now.isoformat()})
    return call


def link_call(session, clock: Clock, call_id: str, case, actor: Agent | None) -> Call:
    """Attaches the call ``call_id`` to ``case`` (a case created for it: from the screen pop's "new phone case", or
    ``case create --call``): the call shows in that case's thread and its ring / talk time counts there; later
    events of the call keep it there. Queues a ``cti.link`` op (a synced console's link reaches the server and, by
    the feed, every console). Raises :class:`CallEventError` for an unknown call."""
    call = call_queries.call_by_call_id(session, call_id)
    if call is None:
        raise CallEventError("callId", _("no call {call}").format(call=repr(call_id)))
    if call.case_id != case.id:
        now = clock.now()
        call.case_id = case.id
        call.customer_id = case.customer_id
        call.updated_at = now
        call.version += 1
        session.flush()
        audit(session, now, actor.id if actor else None, "call.link", "call", call.id, call_id=call_id,
              case=case.key)
        enqueue_payload(session, now, "cti.link", {"callId": call_id, "case_uid": case.uid})
    return call


def ringing_for(session, agent: Agent) -> list[Call]:
    """The calls ringing for ``agent`` now (named by login or extension, not yet answered nor hung up): what the
    agent's screen pop shows. A call answered by anyone stops ringing for everybody."""
    names = {agent.login} | ({agent.extension} if agent.extension else set())
    return [call for call in call_queries.unanswered_calls(session)
            if names & set(call.ringing.split(","))]


@dataclass(frozen=True)
class CallTimes:
    ring_seconds: float | None
    talk_seconds: float | None


def call_times(call: Call) -> CallTimes:
    """How long it rang (to the answer, or to the hangup when nobody answered) and how long it was talked."""
    start = call.started_at or call.first_seen_at
    rang_until = call.answered_at or call.ended_at
    ring = max(0.0, (rang_until - start).total_seconds()) if rang_until and start else None
    talk = (max(0.0, (call.ended_at - call.answered_at).total_seconds())
            if call.answered_at and call.ended_at else None)
    return CallTimes(ring, talk)
