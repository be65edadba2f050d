"""The server's side of merging, linking and splitting cases: the ``case.merge``, ``case.link``, ``case.unlink`` and
``case.split`` ops, applied by ``CaseMergeService`` (the console's own code) in the batch's session."""

from __future__ import annotations

from agent_console.domain.case_errors import CaseError
from agent_console.domain.case_merge import CaseMergeService
from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.store.by_uid import by_uid, uid_taken
from agent_console.store.models import Case


class MergeOps:
    """A mixin of ``server.ops._Applier`` (which gives ``session``, ``clock``, ``actor`` and ``_case``)."""

    def _merging(self) -> CaseMergeService:
        return CaseMergeService.in_session(self.session, self.clock, self.actor)

    def _case_merge(self, p: schemas.CaseMergePayload) -> dict:
        self._case(p.source_uid)
        self._case(p.target_uid)
        target = self._merging().merge(p.source_uid, p.target_uid, across_customers=p.across_customers,
                                       by_uid=True)
        return {"case_uid": target.uid, "key": target.key, "version": target.version}

    def _case_link(self, p: schemas.CaseLinkPayload) -> dict:
        self._case(p.case_uid)
        self._case(p.other_uid)
        link = self._merging().link(p.case_uid, p.other_uid, p.link_kind, by_uid=True)
        return {"link_uid": link.uid}

    def _case_unlink(self, p: schemas.CaseUnlinkPayload) -> dict:
        self._case(p.case_uid)
        self._case(p.other_uid)
        return {"unlinked": self._merging().unlink(p.case_uid, p.other_uid, by_uid=True)}

    def _case_split(self, p: schemas.CaseSplitPayload) -> dict:
        self._case(p.case_uid)
        if uid_taken(self.session, Case, p.new_case_uid):
            raise CaseError(_("a case with uid {uid} exists already").format(uid=p.new_case_uid))
        new_case = self._merging().split(p.case_uid, [], new_uid=p.new_case_uid, by_uid=True,
                                         message_uids=[str(uid) for uid in p.message_uids])
        return {"case_uid": new_case.uid, "key": new_case.key, "version": new_case.version,
                "source_version": by_uid(self.session, Case, p.case_uid).version}
