"""The SLA sweeper: records breaches of running targets and applies the automatic escalation rule.

Run ``SlaSweeper(store, clock).run_once()`` every few seconds (the console does it in a worker; a server would run it
once per floor). A target is breached once its due time is in the past (due == now is not yet breached). Each breach
is recorded exactly once per case, target and due time as an append-only ``breached`` SLA event; the case gets
``sla_breached``; and where the case's policy has ``auto_escalate`` (the default when no policy exists) a breached
first-response or resolution target escalates the case automatically (see ``escalation.auto_escalate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agent_console.domain import sla
from agent_console.domain.clock import Clock
from agent_console.domain.escalation import auto_escalate
from agent_console.domain.recording import audit
from agent_console.store import queries, sla_breaches
from agent_console.store.db import Store
from agent_console.store.models import Case, SlaEvent, SlaEventKind, SlaTarget

#: Targets whose breach triggers the automatic escalation rule (the issue's rule: first response and resolution).
AUTO_ESCALATE_TARGETS = (SlaTarget.first_response.value, SlaTarget.resolution.value)
#: Cases per write transaction. Each breach writes events, an audit row and maybe an escalation through the ORM
#: (~3 ms a case here); 50 keeps the write lock well under a second, so the console's own writes (handling time,
#: drafts) never wait out the busy timeout behind a first sweep of a store with thousands of overdue cases.
_BATCH = 50


@dataclass
class Breach:
    case_id: int
    case_key: str
    target: str
    due_at: datetime
    escalated: bool = False


@dataclass
class SweepResult:
    breaches: list[Breach] = field(default_factory=list)
    #: True when a budgeted run stopped with breaches left to record (the next run continues).
    remaining: bool = False

    @property
    def escalated(self) -> list[Breach]:
        return [b for b in self.breaches if b.escalated]


class SlaSweeper:
    def __init__(self, store: Store, clock: Clock, *, enqueue_ops: bool = True) -> None:
        """``enqueue_ops=False`` on the server itself, whose changes go to the change feed, not an outbox."""
        self.store = store
        self.clock = clock
        self.enqueue_ops = enqueue_ops

    def run_once(self, max_cases: int | None = None) -> SweepResult:
        """Record every breach not yet recorded; with ``max_cases``, at most that many cases this run.

        The console passes a budget so that a store with thousands of overdue cases is worked off a slice per sweep
        instead of keeping the process (and its UI thread, through the GIL) busy for a minute.
        """
        now = self.clock.now()
        result = SweepResult()
        budget = max_cases
        candidates = self._late_targets(now)
        for start in range(0, len(candidates), _BATCH):
            batch = candidates[start:start + _BATCH]
            with self.store.session() as session:
                pending = self._unrecorded(session, batch)
            if budget is not None:
                result.remaining = len(pending) > budget
                pending = pending[:budget]
            if not pending:
                continue
            with self.store.transaction() as session:
                # Checked again under the write lock: another console or process may have recorded some meanwhile.
                for case_id, key, new in self._unrecorded(session, pending):
                    result.breaches.extend(self.record_breaches(session, case_id, key, new, now))
            if budget is not None:
                budget -= len(pending)
                if budget <= 0:
                    result.remaining = result.remaining or start + _BATCH < len(candidates)
                    break
        return result

    def _unrecorded(self, session, batch):
        recorded = self._already_recorded(session, [case_id for case_id, *_ in batch])
        pending = []
        for case_id, key, late in batch:
            new = [(target, due) for target, due in late if (case_id, target, due) not in recorded]
            if new:
                pending.append((case_id, key, new))
        return pending

    def _late_targets(self, now: datetime) -> list[tuple[int, str, list[tuple[str, datetime]]]]:
        """Open cases with a running target past due; ``sla_due_at`` (the earliest) uses the partial index."""
        found = []
        with self.store.session() as session:
            for row in sla_breaches.open_cases_due_before(session, now):
                late = sla.breached_targets(row, now)
                if late:
                    found.append((row.id, row.key, late))
        return found

    @staticmethod
    def _already_recorded(session, case_ids: list[int]) -> set[tuple[int, str, datetime]]:
        return sla_breaches.recorded_breaches(session, case_ids)

    def record_breaches(self, session, case_id: int, key: str, late: list[tuple[str, datetime]],
                        now: datetime) -> list[Breach]:
        """Record the late targets of one case as breached at ``now`` (events, flag, audit, automatic escalation).

        The sweep calls it for what it finds; the demo seeder calls it for cases it creates already overdue.
        """
        case = session.get(Case, case_id)
        breaches = []
        for target, due in late:
            session.add(SlaEvent(case_id=case_id, target=target, event=SlaEventKind.breached, at=now, due_at=due,
                                 detail="due time passed"))
            breaches.append(Breach(case_id, key, target, due))
        # sla_breached and the breach events are derived from due times, which every replica computes with the
        # same rules: they are recorded locally (and by the server's own sweeper), not pushed as ops.
        case.sla_breached = True
        audit(session, now, None, "case.sla_breach", "case", case_id,
              targets=[{"target": t, "due_at": d} for t, d in late])
        policy = queries.policy_for(session, case.channel, case.priority)
        if policy is None or policy.auto_escalate:
            for breach in breaches:
                if breach.target in AUTO_ESCALATE_TARGETS:
                    escalation = auto_escalate(session, case, breach.target, breach.due_at, now,
                                               enqueue_ops=self.enqueue_ops)
                    breach.escalated = escalation is not None
        session.flush()
        return breaches
