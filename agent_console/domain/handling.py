"""Handling time and agent state: the console times each case by itself.

A *handle* segment runs while a case is in front of the agent. It ends when they switch case or screen
(``switch``), go idle (``idle``: no key for ``idle_timeout_s``; the segment ends at the last key, so idle time is not
counted), take a break (``break``), quit (``quit``) or resolve the case (``resolved``). Resolving starts a *wrap_up*
segment (after-contact work) that ends when the agent picks a wrap-up code (``wrap_up_code``) or after
``wrap_up_timeout_s`` (``timeout``, ending at the timeout, not when it was noticed).

Segments are written at their boundaries (start, end). ``tick()`` writes nothing on its own: it only applies the
idle rule and the wrap-up timeout, which are boundaries. Crash protection is ``checkpoint()``, run every
``heartbeat_s`` seconds off the UI thread, which stamps the running segments' heartbeat in one UPDATE; after a crash
or ``kill -9``, :func:`recover_crashed` closes the agent's open segments at their last heartbeat, so at most
``heartbeat_s`` is lost.

Agent states (available, handling, wrap_up, break, offline) follow these events and can be set explicitly; each
period is an :class:`AgentStateChange` row, so the monitor can show who has been in which state since when.

Every write is one transaction with an audit event and an outbox op (``segment.upsert``, ``agent.state``,
``handling.correct``); heartbeats are local crash protection only and are neither audited nor synced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit, enqueue
from agent_console.domain.service import reading_of, transaction_of
from agent_console.domain.text import UnsafeText, check_identifier, clean_text
from agent_console.i18n import _
from agent_console.store import handling_segments
from agent_console.store.db import Store
from agent_console.store.models import (
    Agent,
    AgentState,
    AgentStateChange,
    Case,
    HandlingCorrection,
    HandlingSegment,
    Role,
    SegmentKind,
)

#: The longest heartbeat interval allowed: a crash may lose at most this much time.
MAX_HEARTBEAT_S = 15


class HandlingError(ValueError):
    """A request the rules do not allow; the message is meant for the user."""


def segment_payload(segment: HandlingSegment, case_uid: str) -> dict:
    """The ``segment.upsert`` op's segment (the server's ``SegmentFields``)."""
    return {
        "uid": segment.uid, "case_uid": case_uid, "kind": segment.kind, "started_at": segment.started_at,
        "ended_at": segment.ended_at, "heartbeat_at": segment.heartbeat_at, "end_reason": segment.end_reason,
        "wrap_up_code": segment.wrap_up_code,
    }


def _record_segment(session, now: datetime, segment: HandlingSegment, agent: Agent, action: str) -> None:
    case = session.get(Case, segment.case_id)
    detail = {"case_id": segment.case_id, "kind": segment.kind, "started_at": segment.started_at}
    if segment.ended_at is not None:
        detail.update(ended_at=segment.ended_at, end_reason=segment.end_reason,
                      seconds=round((segment.ended_at - segment.started_at).total_seconds(), 3))
    if segment.wrap_up_code:
        detail["wrap_up_code"] = segment.wrap_up_code
    audit(session, now, agent.id, action, "handling_segment", segment.id, **detail)
    enqueue(session, now, "segment.upsert", segment=segment_payload(segment, case.uid if case else ""))


def change_agent_state(session, agent_id: int, state: str, at: datetime, *, reason: str = "",
                       actor_id: int | None = None) -> Agent:
    """Close the agent's open state period and start a new one (inside the caller's transaction)."""
    state = AgentState(state).value
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise HandlingError(_("no agent with id {id}").format(id=agent_id))
    if agent.state == state and agent.state_since is not None:
        return agent
    for period in handling_segments.open_state_periods(session, agent_id):
        period.ended_at = max(at, period.started_at)
    previous = agent.state
    session.add(AgentStateChange(agent_id=agent_id, state=state, reason=reason, started_at=at))
    agent.state = state
    agent.state_since = at
    agent.version += 1
    audit(session, at, actor_id if actor_id is not None else agent_id, "agent.state", "agent", agent_id,
          old=previous, new=state, reason=reason)
    # The server applies a state op to the agent who pushes it; a supervisor's change for someone else stays local.
    if actor_id is None or actor_id == agent_id:
        # ``at`` is both enqueue's own parameter and a payload field of this op, so the payload is passed whole.
        enqueue(session, at, "agent.state", **{"state": state, "reason": reason[:200]}).payload = json.dumps(
            {"state": state, "reason": reason[:200], "at": at.isoformat()}, ensure_ascii=False, sort_keys=True)
    return agent


def recover_crashed(store: Store, clock: Clock, agent_id: int | None = None) -> list[HandlingSegment]:
    """Close segments left open by a crash at their last heartbeat (or their start when none was written).

    Called on start-up, before the tracker starts new segments. With ``agent_id`` only that agent's segments;
    without, every agent's (for a server or admin tool). Returns the closed segments.
    """
    now = clock.now()
    with store.transaction() as session:
        segments = sorted(handling_segments.open_segments(session, agent_id),
                          key=lambda segment: (segment.started_at, segment.id))
        last_end_by_agent: dict[int, datetime] = {}
        for segment in segments:
            end = segment.heartbeat_at or segment.started_at
            segment.ended_at = min(max(end, segment.started_at), now)
            segment.end_reason = "crash_recovered"
            agent = session.get(Agent, segment.agent_id)
            session.flush()
            _record_segment(session, now, segment, agent, "segment.recover")
            last_end_by_agent[segment.agent_id] = max(last_end_by_agent.get(segment.agent_id, segment.ended_at),
                                                      segment.ended_at)
        for recovered_agent, end in last_end_by_agent.items():
            agent = session.get(Agent, recovered_agent)
            if agent.state != AgentState.offline:
                change_agent_state(session, recovered_agent, AgentState.offline, max(end, agent.state_since or end),
                                   reason="crash_recovered")
        return segments


class HandlingTracker:
    """Times one agent's work in one console. The UI reports events; ``tick()`` is called every second or so.

    Typical wiring: ``recover()`` on start-up, ``case_opened`` when the case-detail screen shows a case (or the agent
    claims one), ``case_left`` when it is dismissed or another screen takes over, ``activity`` on every key,
    ``tick`` from a 1 s interval, ``resolved`` after the case was resolved, ``wrap_up_done`` with the picked code,
    ``take_break``/``set_state`` from the state keys and ``quit`` when the app exits.
    """

    def __init__(self, store: Store, clock: Clock, agent: Agent, *, idle_timeout_s: float = 120,
                 heartbeat_s: float = 10, wrap_up_timeout_s: float = 120,
                 wrap_up_codes: Sequence[str] | None = None) -> None:
        if heartbeat_s <= 0 or heartbeat_s > MAX_HEARTBEAT_S:
            raise HandlingError(_("heartbeat_s must be between 1 and {limit} seconds, not {value}").format(
                limit=MAX_HEARTBEAT_S, value=heartbeat_s))
        if idle_timeout_s <= 0 or wrap_up_timeout_s <= 0:
            raise HandlingError(_("idle and wrap-up timeouts must be positive"))
        if agent.id is None:
            raise HandlingError(_("the agent must be stored before its time can be tracked"))
        self.store = store
        self.clock = clock
        self.agent = agent
        self.idle_timeout_s = idle_timeout_s
        self.heartbeat_s = heartbeat_s
        self.wrap_up_timeout_s = wrap_up_timeout_s
        self.wrap_up_codes = list(wrap_up_codes) if wrap_up_codes is not None else None
        #: The case in front of the agent (None on the queue or another screen).
        self.case_id: int | None = None
        self._segment: HandlingSegment | None = None
        self._wrap_up: HandlingSegment | None = None
        self._last_activity: datetime = clock.now()
        self._last_heartbeat: datetime | None = None
        #: Closed time per case, so the live timer does not query every second.
        self._closed_seconds: dict[int, float] = {}
        self.state: str = agent.state

    # --- what the UI reads ----------------------------------------------------------------------------------------

    @property
    def running_segment(self) -> HandlingSegment | None:
        return self._segment

    @property
    def wrap_up_segment(self) -> HandlingSegment | None:
        return self._wrap_up

    @property
    def wrap_up_case_id(self) -> int | None:
        return self._wrap_up.case_id if self._wrap_up else None

    @property
    def is_idle(self) -> bool:
        """A case is in front of the agent but its segment was ended by the idle rule."""
        return self.case_id is not None and self._segment is None and self.state == AgentState.handling

    def segment_seconds(self, case_id: int) -> float:
        """How long the running segment (handle or wrap-up) of this case has run, 0 when none runs."""
        now = self.clock.now()
        for running in (self._segment, self._wrap_up):
            if running is not None and running.case_id == case_id:
                return max(0.0, (now - running.started_at).total_seconds())
        return 0.0

    def case_total(self, case_id: int) -> float | None:
        """The case's handling time so far like :meth:`elapsed`, or None while its closed time is not known yet
        (it is read off the UI thread and handed over with :meth:`prime_closed_seconds`)."""
        if case_id not in self._closed_seconds:
            return None
        return self.elapsed(case_id)

    def prime_closed_seconds(self, case_id: int, seconds: float) -> None:
        """The case's closed time as a worker just read it (every agent's closed segments)."""
        self._closed_seconds[case_id] = float(seconds)

    def elapsed(self, case_id: int) -> float:
        """Handling time of the case so far (all agents' closed segments plus the running ones), in seconds."""
        if case_id not in self._closed_seconds:
            self._closed_seconds[case_id] = closed_seconds(self.store, case_id)
        total = self._closed_seconds[case_id]
        now = self.clock.now()
        for running in (self._segment, self._wrap_up):
            if running is not None and running.case_id == case_id:
                total += max(0.0, (now - running.started_at).total_seconds())
        return total

    # --- events ---------------------------------------------------------------------------------------------------

    def recover(self) -> list[HandlingSegment]:
        """Start-up: close this agent's segments left open by a crash (call ``start_shift`` afterwards)."""
        segments = recover_crashed(self.store, self.clock, self.agent.id)
        self._closed_seconds.clear()
        return segments

    def start_shift(self) -> None:
        """The console opened: the agent becomes available (after a break or offline)."""
        self._set_state(AgentState.available, reason="console opened")

    def case_opened(self, case_id: int, started_at: datetime | None = None) -> None:
        """A case came in front of the agent (opened or claimed): its handle segment starts.

        ``started_at`` dates the start back to when the work on it began (the new-case form opened before the case
        existed); it never reaches back past the agent's last change of state (a break taken meanwhile) or the start
        of the running wrap-up.
        """
        now = self.clock.now()
        self._last_activity = now
        if self.case_id == case_id and self._segment is not None:
            return
        start = now
        if started_at is not None:
            earliest = [t for t in (self.agent.state_since, self._wrap_up.started_at if self._wrap_up else None)
                        if t is not None]
            start = min(now, max([started_at, *earliest]))
        self._finish_wrap_up(start, "switch")
        self._end_segment(start, "switch")
        self.case_id = case_id
        self._start_segment(case_id, start)

    def case_left(self) -> None:
        """The agent switched to another case or screen: the segment ends now."""
        now = self.clock.now()
        self._end_segment(now, "switch")
        self.case_id = None
        if self.state == AgentState.handling:
            self._set_state(AgentState.available, at=now)

    def activity(self) -> None:
        """Any key: counts as presence; after an idle stop, starts a new segment on the case in front."""
        now = self.clock.now()
        self._last_activity = now
        if (self.case_id is not None and self._segment is None and self._wrap_up is None
                and self.state not in (AgentState.break_, AgentState.offline)):
            self._start_segment(self.case_id, now)

    def tick(self) -> None:
        """Idle detection and the wrap-up timeout (writes only when one of them ends a segment). Safe to call as
        often as you like; the heartbeat is :meth:`checkpoint`'s."""
        now = self.clock.now()
        if self._wrap_up is not None:
            deadline = self._wrap_up.started_at + timedelta(seconds=self.wrap_up_timeout_s)
            if now >= deadline:
                self._finish_wrap_up(deadline, "timeout")
                self._set_state(AgentState.available, at=deadline, reason="wrap-up timeout")
        if self._segment is not None:
            idle_since = self._last_activity
            if (now - idle_since).total_seconds() >= self.idle_timeout_s:
                self._end_segment(max(idle_since, self._segment.started_at), "idle")

    def checkpoint(self) -> bool:
        """Stamp the running segments' heartbeat if ``heartbeat_s`` has passed since the last one (crash
        protection). Safe from a worker thread while the UI changes segments: one UPDATE of the segments that are
        still open, so a segment the UI has just closed keeps its end. Returns whether it wrote."""
        now = self.clock.now()
        segment_ids = [s.id for s in (self._segment, self._wrap_up) if s is not None]
        last = self._last_heartbeat
        if not segment_ids or (last is not None and (now - last).total_seconds() < self.heartbeat_s):
            return False
        self._write_heartbeat(segment_ids, now)
        return True

    def take_break(self, reason: str = "") -> None:
        now = self.clock.now()
        self._finish_wrap_up(now, "break")
        self._end_segment(now, "break")
        self._set_state(AgentState.break_, at=now, reason=reason)

    def quit(self) -> None:
        """The console closes: every segment ends and the agent goes offline."""
        now = self.clock.now()
        self._finish_wrap_up(now, "quit")
        self._end_segment(now, "quit")
        self.case_id = None
        self._set_state(AgentState.offline, at=now, reason="console closed")

    def resolved(self, case_id: int) -> HandlingSegment:
        """The case was resolved: handling ends and wrap-up (after-contact work) starts."""
        now = self.clock.now()
        self._last_activity = now
        self._end_segment(now, "resolved")
        self._finish_wrap_up(now, "switch")
        self.case_id = None
        with self.store.transaction() as session:
            segment = HandlingSegment(case_id=case_id, agent_id=self.agent.id, kind=SegmentKind.wrap_up,
                                      started_at=now, heartbeat_at=now)
            session.add(segment)
            session.flush()
            _record_segment(session, now, segment, self.agent, "segment.start")
            change_agent_state(session, self.agent.id, AgentState.wrap_up, now, reason="case resolved")
        self._wrap_up = segment
        self._last_heartbeat = now
        self.state = AgentState.wrap_up
        return segment

    def wrap_up_done(self, code: str) -> None:
        """The agent picked a wrap-up code: wrap-up ends and the code is stored on the segment and the case."""
        try:
            code = check_identifier(code, "wrap-up code", limit=64)
        except UnsafeText as exc:
            raise HandlingError(str(exc)) from None
        if not code:
            raise HandlingError(_("pick a wrap-up code"))
        if self.wrap_up_codes is not None and code not in self.wrap_up_codes:
            raise HandlingError(_("unknown wrap-up code {code}; expected one of: {codes}").format(
                code=repr(code), codes=", ".join(self.wrap_up_codes)))
        if self._wrap_up is None:
            raise HandlingError(_("no wrap-up is running"))
        now = self.clock.now()
        self._last_activity = now
        self._finish_wrap_up(now, "wrap_up_code", code=code)
        self._set_state(AgentState.available, at=now, reason="wrap-up done")

    def set_state(self, state: str, reason: str = "") -> None:
        """Explicit state change from the state keys or CLI."""
        state = AgentState(state)
        if state == AgentState.break_:
            self.take_break(reason)
        elif state == AgentState.offline:
            self.quit()
        elif state == AgentState.available:
            now = self.clock.now()
            self._finish_wrap_up(now, "switch")
            self._last_activity = now
            if self.case_id is not None:
                self._set_state(AgentState.available, at=now, reason=reason)
                self._start_segment(self.case_id, now)
            else:
                self._set_state(AgentState.available, at=now, reason=reason)
        elif state == AgentState.handling:
            if self.case_id is None:
                raise HandlingError(_("open a case to start handling it"))
            self.activity()
        elif state == AgentState.wrap_up:
            raise HandlingError(_("wrap-up starts by resolving a case"))

    # --- internals ------------------------------------------------------------------------------------------------

    def _set_state(self, state: str, *, at: datetime | None = None, reason: str = "") -> None:
        at = at or self.clock.now()
        if self.state == state and self.agent.state_since is not None:
            return
        with self.store.transaction() as session:
            agent = change_agent_state(session, self.agent.id, state, at, reason=reason)
            self.agent.state, self.agent.state_since = agent.state, agent.state_since
        self.state = state

    def _start_segment(self, case_id: int, now: datetime) -> None:
        with self.store.transaction() as session:
            if session.get(Case, case_id) is None:
                raise HandlingError(_("no case with id {id}").format(id=case_id))
            segment = HandlingSegment(case_id=case_id, agent_id=self.agent.id, kind=SegmentKind.handle,
                                      started_at=now, heartbeat_at=now)
            session.add(segment)
            session.flush()
            _record_segment(session, now, segment, self.agent, "segment.start")
            change_agent_state(session, self.agent.id, AgentState.handling, now, reason="case opened")
        self.agent.state, self.agent.state_since = AgentState.handling.value, now
        self.state = AgentState.handling
        self._segment = segment
        self._last_heartbeat = now

    def _end_segment(self, at: datetime, reason: str) -> None:
        if self._segment is not None:
            self._close(self._segment, at, reason)
            self._segment = None

    def _finish_wrap_up(self, at: datetime, reason: str, *, code: str | None = None) -> None:
        if self._wrap_up is not None:
            self._close(self._wrap_up, at, reason, code=code)
            self._wrap_up = None

    def _close(self, segment: HandlingSegment, at: datetime, reason: str, *, code: str | None = None) -> None:
        now = self.clock.now()
        with self.store.transaction() as session:
            stored = session.get(HandlingSegment, segment.id)
            if stored.ended_at is None:
                stored.ended_at = max(at, stored.started_at)
                stored.heartbeat_at = stored.ended_at
                stored.end_reason = reason
                if code:
                    stored.wrap_up_code = code
                    case = session.get(Case, stored.case_id)
                    if case is not None:
                        case.wrap_up_code = code
                        case.version += 1
                        case.updated_at = now
                _record_segment(session, now, stored, self.agent, "segment.end")
            seconds = (stored.ended_at - stored.started_at).total_seconds()
        if segment.case_id in self._closed_seconds:
            self._closed_seconds[segment.case_id] += seconds

    def _write_heartbeat(self, segment_ids: list[int], now: datetime) -> None:
        with self.store.transaction() as session:
            handling_segments.mark_heartbeat(session, segment_ids, now)
        self._last_heartbeat = now


def closed_seconds(store: Store | None, case_id: int, *, session=None) -> float:
    """Sum of the case's closed segments (handle and wrap-up, every agent), in seconds; read in ``session`` when
    given, else in a session of ``store``."""
    with reading_of(store, session) as session:
        spans = handling_segments.closed_segment_spans(session, case_id)
    return sum((_span_seconds(started_at, ended_at) for _kind, started_at, ended_at in spans), 0.0)


def _span_seconds(started_at: datetime, ended_at: datetime) -> float:
    return (ended_at - started_at).total_seconds()


def correct_time(store: Store | None, clock: Clock, case_id: int, delta_seconds: float, reason: str,
                 supervisor: Agent, *, kind: str = SegmentKind.handle, agent_id: int | None = None,
                 session=None) -> HandlingCorrection:
    """A supervisor adds (or, negative, removes) handling time on a case, with a reason; never a silent overwrite.

    The correction is its own row (AHT adds it to the segments) and an audit event; the case's total cannot go
    below zero. With ``session`` it runs in the caller's transaction (``store`` may then be None), else in one of
    its own on ``store``.
    """
    if supervisor is None or supervisor.role not in (Role.supervisor, Role.admin):
        raise HandlingError(_("only supervisors and admins can correct handling time"))
    reason = clean_text(reason or "").strip()
    if not reason:
        raise HandlingError(_("a time correction needs a reason"))
    kind = SegmentKind(kind).value
    try:
        delta = float(delta_seconds)
    except (TypeError, ValueError):
        raise HandlingError(_("seconds must be a number, not {value}").format(value=repr(delta_seconds))) from None
    if delta == 0:
        raise HandlingError(_("a correction of 0 seconds changes nothing"))
    current = closed_seconds(store, case_id, session=session)
    now = clock.now()
    with transaction_of(store, session) as session:
        case = session.get(Case, case_id)
        if case is None:
            raise HandlingError(_("no case with id {id}").format(id=case_id))
        if agent_id is not None and session.get(Agent, agent_id) is None:
            raise HandlingError(_("no agent with id {id}").format(id=agent_id))
        corrected = handling_segments.corrected_seconds(session, case_id)
        if current + corrected + delta < 0:
            raise HandlingError(_("{case} has {seconds} s of handling time; a correction of {delta} s would make it "
                                  "negative").format(case=case.key, seconds=f"{current + corrected:.0f}",
                                                     delta=f"{delta:.0f}"))
        correction = HandlingCorrection(case_id=case_id, agent_id=agent_id, kind=kind, delta_seconds=delta,
                                        reason=reason, corrected_by_id=supervisor.id, created_at=now)
        session.add(correction)
        session.flush()
        audit(session, now, supervisor.id, "handling.correct", "case", case_id, correction_id=correction.id,
              delta_seconds=delta, kind=kind, reason=reason, agent_id=agent_id,
              total_before=round(current + corrected, 3))
        agent_login = session.get(Agent, agent_id).login if agent_id is not None else None
        enqueue(session, now, "handling.correct", uid=correction.uid, case_uid=case.uid, segment_kind=kind,
                delta_seconds=delta, reason=reason, agent_login=agent_login, supervisor_login=supervisor.login,
                created_at=now)
        return correction


def handling_summary(store: Store, case_id: int) -> dict[str, float]:
    """Seconds per kind (handle, wrap_up) and corrections for one case: what the case's time line shows."""
    with store.session() as session:
        spans = handling_segments.closed_segment_spans(session, case_id)
        corrections = handling_segments.corrected_seconds(session, case_id)
    summary = {"handle": 0.0, "wrap_up": 0.0}
    for kind, started_at, ended_at in spans:
        summary[kind] = summary.get(kind, 0.0) + _span_seconds(started_at, ended_at)
    summary["corrections"] = corrections
    summary["total"] = summary["handle"] + summary["wrap_up"] + summary["corrections"]
    return summary

