"""One search over the cases the caller may see: messages, notes, subjects, keys, customers (``domain.case_search``).
An agent restricted to some queues finds only cases in them, as in every other route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from agent_console.domain.case_search import FilterError, describe_filter_error, search_cases
from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.routes.deps import Caller, state

router = APIRouter(prefix="/api/v1", tags=["search"])
ERRORS = {401: {"model": schemas.Error}, 403: {"model": schemas.Error}, 422: {"model": schemas.Error}}


@router.get("/search", response_model=schemas.CaseSearchResults, responses=ERRORS)
def search(
    principal: Caller, request: Request,
    q: Annotated[str, Query(max_length=2000, pattern=r"^[^\x00]*$",
                            description="Words, a case key, a name, an e-mail address or a phone number; filters "
                                        "status:, queue:, channel:, customer:, before:, after: (YYYY-MM-DD)")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
):
    """The best cases for ``q`` among those the caller may see, with the matching snippet and the SLA state."""
    server = state(request)
    with server.store.session() as session:
        try:
            found = search_cases(session, q, server.clock.now(), limit=limit,
                                 allowed_queues=principal.queue_filter)
        except FilterError as exc:
            raise HTTPException(422, describe_filter_error(exc)) from None
    return found.as_dict(q)
