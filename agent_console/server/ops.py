"""Applying a batch of client ops: idempotent by op id, one savepoint per op, one transaction per batch.

The domain services (:class:`agent_console.domain.cases.CaseService`) do the work, exactly as in the console; they are
constructed in the batch's session (``Service.in_session``), so they run inside the batch's one transaction. Writers
are serialised (see :mod:`agent_console.store.server_db`), so a claim's "is it still free?" check and its update
happen atomically: of two agents claiming one case, exactly one wins.
"""

from __future__ import annotations

from datetime import datetime

from agent_console.domain.cases import CaseConflict, CaseService, claimed_by_other
from agent_console.i18n import N_, _
from agent_console.server.auth import Principal
from agent_console.server.ops_merge import MergeOps
from agent_console.server import schemas
from agent_console.server.op_common import (
    applied_op_row,
    case_refusal,
    duplicate_answer,
    foreign_claim_refusal,
    op_fingerprint,
)
from agent_console.store.applied_ops import StoredOp, applied_before
from agent_console.store.by_uid import agent_with_login, by_uid, follow_up_of_escalation, survey_of_case, uid_taken
from agent_console.store.server_feed import entity_json, snapshot_at_version
from agent_console.store.models import (
    Agent,
    AppliedOp,
    CannedResponse,
    Case,
    Escalation,
    FollowUp,
    HandlingCorrection,
    HandlingSegment,
    KBArticle,
    Message,
    Role,
    Survey,
)
from agent_console.store.queries import NotFound


class Rejected(Exception):
    """The op cannot be applied (the message says why); nothing of it is written."""


class Conflict(Exception):
    def __init__(self, reason: str, current: dict | None, result: dict | None = None) -> None:
        super().__init__(reason)
        self.current = current
        self.result = result


class _PartialConflict(Exception):
    """Some fields conflicted; the others were applied and must be kept."""

    def __init__(self, conflict: Conflict) -> None:
        self.conflict = conflict


def apply_ops(store, clock, principal: Principal, batch: schemas.OpsBatch) -> list[dict]:
    """Apply every op of an already validated batch; returns one result per op, in order. Batches of replies,
    notes and claims take the batched Core path (:mod:`server.fastops`), every other batch the domain services."""
    from agent_console.server import fastops

    if fastops.handles(batch):
        return fastops.apply_batch_fast(store, clock, principal, batch)
    return apply_batch(store, clock, principal, batch)


def apply_batch(store, clock, principal: Principal, batch: schemas.OpsBatch) -> list[dict]:
    """Apply every op of an already validated batch through the domain services; one result per op, in order."""
    results: list[dict] = []
    with store.transaction() as session:
        seen = applied_before(session.connection(), [(principal.agent_id, str(op.op_id)) for op in batch.ops])
        actor = session.get(Agent, principal.agent_id)
        applier = _Applier(session, clock, principal, actor, mail_from=getattr(store, "mail_from", ""))
        for op in batch.ops:
            op_id = str(op.op_id)
            fingerprint = op_fingerprint(op)
            stored = seen.get((principal.agent_id, op_id))
            if stored is not None:
                results.append(duplicate_answer(op_id, stored, fingerprint))
                continue
            outcome = applier.apply(op)
            session.add(AppliedOp(**applied_op_row(principal, op, fingerprint, outcome, clock.now())))
            seen[(principal.agent_id, op_id)] = StoredOp(outcome, fingerprint)
            results.append({"op_id": op_id, **outcome})
    return results


class _Applier(MergeOps):
    def __init__(self, session, clock, principal: Principal, actor: Agent, *, mail_from: str = "") -> None:
        self.session = session
        self.clock = clock
        self.principal = principal
        self.actor = actor
        self.service = CaseService.in_session(session, clock, actor, mail_from=mail_from)

    def apply(self, op) -> dict:
        handler = getattr(self, "_" + op.kind.replace(".", "_"))
        changed_before = dict(self.session.info.get("changed", {}))
        moved_before = {uid: set(queues) for uid, queues in self.session.info.get("moved_cases", {}).items()}
        deleted_before = set(self.session.info.get("deleted", set()))
        savepoint = self.session.begin_nested()
        try:
            result = handler(op.payload)
            savepoint.commit()
            return {"status": "applied", "result": result}
        except _PartialConflict as partial:
            savepoint.commit()
            return {"status": "conflict", "reason": str(partial.conflict), "current": partial.conflict.current,
                    "result": partial.conflict.result}
        except Exception as exc:
            savepoint.rollback()
            self.session.info["changed"] = changed_before
            self.session.info["moved_cases"] = moved_before
            self.session.info["deleted"] = deleted_before
            if isinstance(exc, Conflict):
                return {"status": "conflict", "reason": str(exc), "current": exc.current, "result": exc.result}
            if isinstance(exc, CaseConflict):
                return {"status": "conflict", "reason": str(exc), "current": self._current_of(op.payload)}
            if isinstance(exc, (Rejected, NotFound, ValueError)):
                # ValueError: the domain's own errors (CaseError, EscalationError, ArticleError, CannedError, …)
                return {"status": "rejected", "reason": str(exc)}
            raise

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _case(self, uid: str) -> Case:
        case = by_uid(self.session, Case, uid)
        refusal = case_refusal(self.principal, uid, case)
        if refusal:
            raise Rejected(refusal)
        return case

    def _agent(self, login: str) -> Agent:
        agent = agent_with_login(self.session, login)
        if agent is None or not agent.active:
            raise Rejected(_("no active agent with login {login}").format(login=repr(login)))
        return agent

    def _current_of(self, payload) -> dict | None:
        uid = getattr(payload, "case_uid", None)
        if uid is None:
            return None
        case = by_uid(self.session, Case, uid)
        return entity_json(self.session, case) if case is not None else None

    def _state(self, case: Case) -> dict:
        return entity_json(self.session, case)

    @staticmethod
    def _case_result(case: Case) -> dict:
        return {"case_uid": case.uid, "key": case.key, "version": case.version}

    def _now(self) -> datetime:
        return self.clock.now()

    # --- cases -----------------------------------------------------------------------------------------------------

    def _case_create(self, p: schemas.CaseCreatePayload) -> dict:
        existing = by_uid(self.session, Case, p.case.uid)
        if existing is not None and not self.principal.may_see_queue(existing.queue):
            # Nothing of a case outside the caller's queues leaves the server, not even its key.
            raise Rejected(_("the case uid {uid} is taken; the case was not created").format(uid=p.case.uid))
        if existing is not None:
            raise Conflict(_("a case with uid {uid} exists already ({key})").format(
                uid=p.case.uid, key=existing.key), self._state(existing),
                           self._case_result(existing))
        if not self.principal.may_see_queue(p.case.queue):
            raise Rejected(_("queue {queue} is not one of yours").format(queue=p.case.queue))
        if uid_taken(self.session, Message, p.message.uid):
            raise Rejected(_("a message with uid {uid} exists already").format(uid=p.message.uid))
        contact = p.customer.email or p.customer.phone
        if not contact:
            raise Rejected(_("the customer needs an e-mail address or a phone number"))
        case = self.service.create_case(
            customer=contact, channel=p.case.channel, queue=p.case.queue, subject=p.case.subject,
            body=p.message.body, priority=p.case.priority, customer_name=p.customer.name,
            language=p.case.language or p.customer.language, external_id=p.case.external_id,
            created_at=min(p.case.created_at, self._now()) if p.case.created_at else None,
            uid=p.case.uid, customer_uid=p.customer.uid, message_uid=p.message.uid,
            customer_phone=p.customer.phone if p.customer.email else None,
        )
        customer_uid = entity_json(self.session, case)["customer_uid"]
        return {**self._case_result(case), "customer_uid": customer_uid, "message_uid": p.message.uid}

    def _message_add(self, p: schemas.MessageAddPayload) -> dict:
        m = p.message
        if uid_taken(self.session, Message, m.uid):
            raise Rejected(_("a message with uid {uid} exists already").format(uid=m.uid))
        case = self._case(m.case_uid)
        if m.direction == "in":
            message = self.service.add_inbound(case, m.body, channel=m.channel, message_uid=m.uid)
        elif m.is_internal:
            message = self.service.note(case, m.body, message_uid=m.uid)
        else:
            message = self.service.reply(case, m.body, message_uid=m.uid, queue_mail=not m.mailed)
        # A message to a merged case went onto the case it was merged into: the answer names that one.
        return {"message_uid": message.uid, **self._case_result(self.session.get(Case, message.case_id))}

    def _case_claim(self, p: schemas.ClaimPayload) -> dict:
        refusal = foreign_claim_refusal(self.principal, p.agent_login)
        if refusal:
            raise Rejected(refusal)
        case = self._case(p.case_uid)
        held = claimed_by_other(case, self.actor, lambda agent_id: getattr(self.session.get(Agent, agent_id),
                                                                           "name", None))
        if held:
            raise Conflict(held, self._state(case))
        self.service.claim(case)
        return self._case_result(case)

    def _case_release(self, p: schemas.CaseRef) -> dict:
        case = self._case(p.case_uid)
        if case.assignee_id is not None and case.assignee_id != self.actor.id and self.actor.role == Role.agent:
            raise Conflict(_("{key} is held by another agent").format(key=case.key), self._state(case))
        self.service.release(case)
        return self._case_result(case)

    def _case_assign(self, p: schemas.AssignPayload) -> dict:
        if not self.principal.at_least(Role.supervisor):
            raise Rejected(_("only supervisors and admins can assign cases to others"))
        case = self._case(p.case_uid)
        self.service.assign(case, self._agent(p.agent_login))
        return self._case_result(case)

    def _case_update(self, p: schemas.CaseUpdatePayload) -> dict:
        case = self._case(p.case_uid)
        wanted = p.changes.model_dump(exclude_none=True)
        if not wanted:
            raise Rejected(_("no changes given"))
        if p.base_version > case.version:
            raise Rejected(_("base_version {base_version} is newer than the server's version {version}").format(
                base_version=p.base_version, version=case.version))
        conflicts: dict[str, dict] = {}
        if p.base_version < case.version:
            seen = self._case_at_version(case.uid, p.base_version)
            for field, value in wanted.items():
                current = getattr(case, field)
                if current == value:
                    continue
                if seen is None or seen.get(field) != current:
                    conflicts[field] = {"yours": value, "current": current}
        applied = []
        for field, value in wanted.items():
            if field in conflicts or getattr(case, field) == value:
                continue
            setter = {"status": self.service.set_status, "priority": self.service.set_priority,
                      "queue": self.service.set_queue, "channel": self.service.set_channel}[field]
            setter(case, value)
            applied.append(field)
        result = {**self._case_result(case), "applied": applied}
        if conflicts:
            names = ", ".join(sorted(conflicts))
            conflict = Conflict(_("changed on the server since version {base_version}: {names}").format(
                base_version=p.base_version, names=names), self._state(case),
                                {**result, "conflicts": conflicts})
            if applied:
                raise _PartialConflict(conflict)
            raise conflict
        return result

    def _case_at_version(self, uid: str, version: int) -> dict | None:
        """The case as the feed showed it at ``version`` (None when the feed never had that version)."""
        return snapshot_at_version(self.session, "case", uid, version)

    # --- calls -----------------------------------------------------------------------------------------------------

    def _cti_event(self, p) -> dict:
        from agent_console.domain.calls import CallEventError, parse_event, record_event

        try:
            event = parse_event(p.model_dump(by_alias=True, exclude={"at"}), at=p.at)
        except CallEventError as exc:
            raise Rejected(str(exc)) from None
        recorded = record_event(self.session, self.clock, event, actor=self.actor)
        return {"call_uid": recorded.call.uid, "applied": recorded.applied}

    def _cti_called_back(self, p) -> dict:
        from agent_console.domain.calls import CallEventError, mark_called_back

        try:
            call = mark_called_back(self.session, self.clock, p.callId, self.actor)
        except CallEventError as exc:
            raise Rejected(str(exc)) from None
        return {"call_uid": call.uid}

    def _cti_link(self, p) -> dict:
        from agent_console.domain.calls import CallEventError, link_call

        case = self._case(p.case_uid)
        try:
            call = link_call(self.session, self.clock, p.callId, case, self.actor)
        except CallEventError as exc:
            raise Rejected(str(exc)) from None
        return {"call_uid": call.uid, "case_uid": case.uid}

    # --- escalation, handling, agent state, surveys, follow-ups ----------------------------------------------------

    def _escalation_create(self, p: schemas.EscalationPayload) -> dict:
        from agent_console.domain.escalation import EscalationService

        e = p.escalation
        if uid_taken(self.session, Escalation, e.uid):
            raise Rejected(_("an escalation with uid {uid} exists already").format(uid=e.uid))
        case = self._case(e.case_uid)
        service = EscalationService.in_session(self.session, self.clock, self.actor)
        if e.kind == "deescalation":
            if case.tier <= 1:
                raise Conflict(_("{key} is at tier 1 already").format(key=case.key), self._state(case))
            row = service.deescalate(case, e.reason)
        else:
            to_tier = e.to_tier if e.to_tier > case.tier else None
            to_queue = e.to_queue if e.to_queue and e.to_queue != case.queue else None
            if to_tier is None and to_queue is None:
                raise Conflict(_("{key} is at tier {tier} in {queue} already").format(
                    key=case.key, tier=case.tier, queue=case.queue), self._state(case))
            row = service.escalate(case, to_tier=to_tier, to_queue=to_queue, reason=e.reason)
        # The shared rules made the rows; they keep the identities the client chose.
        row.uid = e.uid
        result = {"escalation_uid": row.uid, **self._case_result(case)}
        follow_up = follow_up_of_escalation(self.session, row.id)
        if follow_up is not None and p.follow_up is not None:
            follow_up.uid = p.follow_up.uid
            follow_up.due_at = p.follow_up.due_at
            follow_up.note = p.follow_up.note
            result["follow_up_uid"] = follow_up.uid
        self.session.flush()
        return result

    def _segment_upsert(self, p: schemas.SegmentPayload) -> dict:
        s = p.segment
        if s.ended_at is not None and s.ended_at < s.started_at:
            raise Rejected(_("a handling segment cannot end before it starts"))
        case = self._case(s.case_uid)
        segment = by_uid(self.session, HandlingSegment, s.uid)
        if segment is None:
            segment = HandlingSegment(uid=s.uid, case_id=case.id, agent_id=self.actor.id, kind=s.kind,
                                      started_at=s.started_at)
            self.session.add(segment)
        elif segment.agent_id != self.actor.id or segment.case_id != case.id:
            raise Rejected(_("that handling segment belongs to another agent or case"))
        elif segment.ended_at is not None and s.ended_at is None:
            raise Rejected(_("the segment has ended already; an ended segment is not reopened"))
        segment.kind = s.kind
        segment.started_at = s.started_at
        segment.ended_at = s.ended_at
        segment.heartbeat_at = s.heartbeat_at
        segment.end_reason = s.end_reason
        segment.wrap_up_code = s.wrap_up_code
        self.session.flush()
        return {"segment_uid": segment.uid, "case_uid": case.uid}

    def _agent_state(self, p: schemas.AgentStatePayload) -> dict:
        from agent_console.domain.handling import change_agent_state

        now = self._now()
        agent = self.actor
        if agent.state != p.state:
            at = max(min(p.at, now) if p.at else now, agent.state_since or datetime.min.replace(tzinfo=now.tzinfo))
            change_agent_state(self.session, agent.id, p.state, at, reason=p.reason, actor_id=agent.id)
        return {"agent_login": agent.login, "state": agent.state}

    def _survey_add(self, p: schemas.SurveyPayload) -> dict:
        s = p.survey
        case = self._case(s.case_uid)
        existing = survey_of_case(self.session, case.id)
        if existing is not None:
            if existing.uid == s.uid:
                return {"survey_uid": existing.uid, "case_uid": case.uid}
            raise Conflict(_("{key} has a survey already").format(
                key=case.key), entity_json(self.session, existing))
        if s.csat is None and s.nps is None and s.ces is None:
            raise Rejected(_("a survey needs at least one of csat, nps, ces"))
        now = self._now()
        survey = Survey(uid=s.uid, case_id=case.id, csat=s.csat, nps=s.nps, ces=s.ces,
                        created_at=min(s.created_at, now) if s.created_at else now)
        self.session.add(survey)
        self.session.flush()
        return {"survey_uid": survey.uid, "case_uid": case.uid}

    def _follow_up_done(self, p: schemas.FollowUpDonePayload) -> dict:
        from agent_console.domain.escalation import EscalationService

        follow_up = by_uid(self.session, FollowUp, p.follow_up_uid)
        case = self.session.get(Case, follow_up.case_id) if follow_up is not None else None
        if follow_up is None or (case is not None and not self.principal.may_see_queue(case.queue)):
            # One of another queue's cases is answered like one that does not exist.
            raise Rejected(_("no follow-up with uid {follow_up_uid}").format(follow_up_uid=p.follow_up_uid))
        if follow_up.done_at is None:
            note = follow_up.note if p.note is None else p.note
            EscalationService.in_session(self.session, self.clock, self.actor).complete_follow_up(follow_up.id, note)
            if p.done_at is not None:
                follow_up.done_at = min(p.done_at, follow_up.done_at)
        return {"follow_up_uid": follow_up.uid, "done_at": follow_up.done_at.isoformat()}

    # --- handling corrections, knowledge base, canned responses ----------------------------------------------------

    def _require_supervisor(self, refusal: str) -> None:
        """Refuses (with ``refusal``, a message marked with ``N_``) an agent below supervisor."""
        if not self.principal.at_least(Role.supervisor):
            raise Rejected(_(refusal))

    def _handling_correct(self, p: schemas.HandlingCorrectPayload) -> dict:
        from agent_console.domain.handling import correct_time

        self._require_supervisor(N_("only supervisors and admins can correct handling time"))
        if uid_taken(self.session, HandlingCorrection, p.uid):
            raise Rejected(_("a correction with uid {uid} exists already").format(uid=p.uid))
        case = self._case(p.case_uid)
        agent_id = self._agent(p.agent_login).id if p.agent_login else None
        correction = correct_time(None, self.clock, case.id, p.delta_seconds, p.reason,
                                  self.actor, kind=p.segment_kind, agent_id=agent_id, session=self.session)
        correction.uid = p.uid
        self.session.flush()
        return {"correction_uid": correction.uid, "case_uid": case.uid}

    def _article(self, uid: str) -> KBArticle:
        article = by_uid(self.session, KBArticle, uid)
        if article is None:
            raise Rejected(_("no knowledge-base article with uid {uid}").format(uid=uid))
        return article

    def _kb(self):
        from agent_console.domain.kb import KnowledgeBase

        return KnowledgeBase.in_session(self.session, self.clock, self.actor)

    def _kb_upsert(self, p: schemas.KbUpsertPayload) -> dict:
        self._require_supervisor(N_("only supervisors and admins can edit the knowledge base"))
        a = p.article
        existing = by_uid(self.session, KBArticle, a.uid)
        if existing is None:
            article = self._kb().create(title=a.title, body=a.body, language=a.language, tags=a.tags, slug=a.slug,
                                        public=bool(a.public), queue=a.queue)
            article.uid = a.uid
        else:
            queue_sent = "queue" in a.model_fields_set
            article = self._kb().update(existing.id, title=a.title, body=a.body, language=a.language, tags=a.tags,
                                        public=a.public, queue=a.queue if queue_sent else None,
                                        clear_queue=queue_sent and not a.queue)
        self.session.flush()
        return {"article_uid": article.uid, "version": article.version}

    def _kb_delete(self, p: schemas.UidPayload) -> dict:
        self._require_supervisor(N_("only supervisors and admins can edit the knowledge base"))
        existing = by_uid(self.session, KBArticle, p.uid)
        if existing is not None:
            self._kb().delete(existing.id)
        return {"article_uid": p.uid, "deleted": True}

    def _kb_helpful(self, p: schemas.UidPayload) -> dict:
        article = self._kb().mark_helpful(self._article(p.uid).id)
        return {"article_uid": article.uid, "helpful_votes": article.helpful_votes}

    def _kb_link(self, p: schemas.KbLinkPayload) -> dict:
        case = self._case(p.case_uid)
        article = self._article(p.article_uid)
        self._kb().link_to_case(article.id, case.id)
        return {"article_uid": article.uid, "case_uid": case.uid}

    def _canned(self):
        from agent_console.domain.canned import CannedResponses

        return CannedResponses.in_session(self.session, self.clock, self.actor)

    def _canned_upsert(self, p: schemas.CannedUpsertPayload) -> dict:
        self._require_supervisor(N_("only supervisors and admins can edit canned responses"))
        c = p.canned
        existing = by_uid(self.session, CannedResponse, c.uid)
        if existing is None:
            response = self._canned().create(title=c.title, shortcut=c.shortcut, body=c.body, category=c.category,
                                             language=c.language)
            response.uid = c.uid
        else:
            response = self._canned().update(existing.id, title=c.title, shortcut=c.shortcut, body=c.body,
                                             category=c.category, language=c.language)
        self.session.flush()
        return {"canned_uid": response.uid, "version": response.version}

    def _canned_delete(self, p: schemas.UidPayload) -> dict:
        self._require_supervisor(N_("only supervisors and admins can edit canned responses"))
        existing = by_uid(self.session, CannedResponse, p.uid)
        if existing is not None:
            self._canned().delete(existing.id)
        return {"canned_uid": p.uid, "deleted": True}
