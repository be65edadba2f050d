"""Live figures for supervisors: waiting per queue and channel, longest wait, SLA breaches, agents by state."""

from __future__ import annotations

from datetime import datetime, time, timezone

from fastapi import APIRouter, Request
from sqlalchemy import and_, func, select

from agent_console.server import schemas
from agent_console.server.routes.deps import Supervisor, state
from agent_console.store.models import Agent, Case

router = APIRouter(prefix="/api/v1", tags=["monitor"])
C, A = Case.__table__.c, Agent.__table__.c


def _age(now: datetime, oldest: datetime | None) -> float | None:
    if oldest is None:
        return None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return max(0.0, (now - oldest).total_seconds())


def monitor_figures(conn, now: datetime) -> schemas.Monitor:
    from agent_console.store.types import UTCDateTime
    from sqlalchemy import cast, literal

    waiting = C.assignee_id.is_(None)
    now_param = literal(now, UTCDateTime())
    is_open = C.is_open.is_(True)

    def grouped(column):
        return conn.execute(
            select(column, func.count(), func.count().filter(waiting), func.min(C.created_at).filter(waiting),
                   func.count().filter(C.sla_due_at < now_param))
            .where(is_open).group_by(column).order_by(column)
        ).all()

    queues = [schemas.QueueFigures(queue=q, open=n, waiting=w, longest_wait_s=_age(now, _as_dt(oldest)), breached=b)
              for q, n, w, oldest, b in grouped(C.queue)]
    channels = [schemas.ChannelFigures(channel=ch, open=n, waiting=w, longest_wait_s=_age(now, _as_dt(oldest)))
                for ch, n, w, oldest, _b in grouped(C.channel)]
    agents = dict(conn.execute(select(A.state, func.count()).where(A.active.is_(True)).group_by(A.state)).all())
    midnight = literal(datetime.combine(now.date(), time(0), tzinfo=timezone.utc), UTCDateTime())
    resolved_today = conn.execute(select(func.count()).where(C.resolved_at >= midnight)).scalar_one()
    created_today = conn.execute(select(func.count()).where(C.created_at >= midnight)).scalar_one()
    return schemas.Monitor(
        at=now, queues=queues, channels=channels, agents_by_state=agents,
        open_total=sum(q.open for q in queues), waiting_total=sum(q.waiting for q in queues),
        resolved_today=resolved_today, created_today=created_today,
    )


def _as_dt(value):
    # An aggregate loses the column's type on SQLite: min() comes back as text.
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return value


@router.get("/monitor", response_model=schemas.Monitor,
            responses={401: {"model": schemas.Error}, 403: {"model": schemas.Error}})
def monitor(principal: Supervisor, request: Request):
    """The floor right now (UTC day boundaries for the 'today' counts)."""
    server = state(request)
    with server.store.engine.connect() as conn:
        return monitor_figures(conn, server.clock.now())
