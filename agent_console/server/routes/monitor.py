"""Live figures for supervisors: the console's monitor snapshot (agent_console.domain.monitor), over the team's data."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from agent_console.server import schemas
from agent_console.server.routes.deps import Supervisor, state

router = APIRouter(prefix="/api/v1", tags=["monitor"])


def _group(group) -> schemas.GroupFigures:
    data = asdict(group)
    data.pop("levels", None)
    return schemas.GroupFigures(**data, level=str(group.level.value if hasattr(group.level, "value") else group.level))


@router.get("/monitor", response_model=schemas.Monitor,
            responses={401: {"model": schemas.Error}, 403: {"model": schemas.Error}, 422: {"model": schemas.Error}})
def monitor(principal: Supervisor, request: Request,
            tz: Annotated[str, Query(max_length=64, description="IANA zone where 'today' starts")] = "UTC"):
    """The floor right now: per queue and channel, the whole floor, agents, and due follow-ups/escalations."""
    from agent_console.domain.monitor import compute_snapshot

    from agent_console.domain.zones import UnknownTimeZone, zone_named

    try:
        zone = zone_named(tz)
    except UnknownTimeZone as exc:
        raise HTTPException(422, str(exc)) from None
    server = state(request)
    snapshot = compute_snapshot(server.store, server.clock, tz=zone)
    return schemas.Monitor(
        taken_at=snapshot.taken_at, day_start=snapshot.day_start, floor=_group(snapshot.floor),
        queues=[_group(g) for g in snapshot.queues], channels=[_group(g) for g in snapshot.channels],
        agents=[schemas.AgentFigures(login=a.login, name=a.name, role=a.role, state=a.state,
                                     state_since=a.state_since, time_in_state_s=a.time_in_state_s,
                                     current_case_key=a.current_case_key, current_activity=a.current_activity,
                                     handled_today=a.handled_today, aht_s=a.aht_s) for a in snapshot.agents],
        agents_by_state=snapshot.agent_states,
        due=[schemas.DueItem(kind=d.kind, case_key=d.case_key, agent_login=d.agent_login, due_at=d.due_at,
                             remaining_s=d.remaining_s, note=d.note) for d in snapshot.due],
        due_total=snapshot.due_total, overdue_total=snapshot.overdue_total,
    )
