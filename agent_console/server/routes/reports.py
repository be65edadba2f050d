"""Reports over the team's data that only the server has: ``GET /api/v1/reports/selfservice`` (the help center's
self-service figures, ``domain/selfservice.py``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, BeforeValidator
from starlette.concurrency import run_in_threadpool

from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.routes.deps import Supervisor, state

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _only_iso_days(value):
    # Pydantic would also take a number of seconds since 1970 ("0") for a date; the API promises YYYY-MM-DD.
    if not isinstance(value, date) and not (isinstance(value, str) and _ISO_DAY.match(value)):
        raise ValueError(_("a day is written YYYY-MM-DD"))
    return value


Day = Annotated[date, BeforeValidator(_only_iso_days)]


class MissedSearch(BaseModel):
    query: str
    searches: int
    visits: int


class SelfService(BaseModel):
    zone: str
    since: str
    until: str
    resolutions: int
    not_solved: int
    solved_visits: int
    contact_forms: int
    #: Visits that ended in "yes" / (those + contact forms); null without either.
    deflection: float | None
    searches: int
    searches_without_results: int
    top_searches_without_results: list[MissedSearch]


@router.get("/selfservice", response_model=SelfService,
            responses={401: {"model": schemas.Error}, 403: {"model": schemas.Error}, 422: {"model": schemas.Error}})
async def selfservice(principal: Supervisor, request: Request,
                      since: Annotated[Day | None, Query(description="First day (YYYY-MM-DD) in tz")] = None,
                      until: Annotated[Day | None, Query(description="Last day, inclusive (default today)")] = None,
                      tz: Annotated[str, Query(max_length=64, description="IANA zone of the days")] = "UTC",
                      top: Annotated[int, Query(ge=1, le=100)] = 10):
    """Self-service resolutions ("yes" answers), deflection and the top help-center searches without results, over
    the calendar days ``since``..``until`` (default the last 7 days)."""
    from agent_console.domain.metrics import MetricError, day_range
    from agent_console.domain.zones import UnknownTimeZone, zone_named

    server = state(request)
    try:
        zone_named(tz)
    except UnknownTimeZone as exc:
        raise HTTPException(422, str(exc)) from None
    from zoneinfo import ZoneInfo

    today = server.clock.now().astimezone(ZoneInfo(tz)).date()
    try:
        start, end = day_range(since, until, today=today, tz=tz)
    except MetricError as exc:
        raise HTTPException(422, str(exc)) from None
    figures = await run_in_threadpool(_figures, server, start, end, top)
    return SelfService(zone=tz, **figures.as_json())


def _figures(server, start, end, top: int):
    from agent_console.domain.selfservice import figures

    server.searches.flush()  # the help center's searches still waiting to be written count too
    with server.store.session() as session:
        return figures(session, start, end, top=top)
