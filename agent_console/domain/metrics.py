"""Contact-center metrics as SQL aggregates: shared by the reports, the supervisor monitor and the server.

Every function takes a session, a half-open UTC range ``[since, until)`` and optionally a grouping ``by`` =
``agent`` | ``queue`` | ``channel`` | ``day`` (None: one row ``all``), and returns :class:`MetricRow` s sorted by group.
Percentages are 0–100. A value is None when its population is empty. Nothing here touches the UI or the clock
directly: "now" is passed in.

Grouping:
- ``agent``: the agent who did the work — the segment's agent for AHT; the case's assignee (the resolver; resolving an
  unassigned case assigns it) for case-based metrics; ``(unassigned)`` when nobody.
- ``queue`` / ``channel``: the case's current queue / channel.
- ``day``: the calendar day, in the zone ``tz`` (the viewing agent's display zone, default UTC), of the moment the
  metric is dated by (see each function). Timestamps are stored in UTC; the queries, and how SQL counts the local
  day, are in ``store/metric_queries.py``.

Definitions (dated by):
- AHT (segment start): (handle time + wrap-up time + supervisor corrections) / handled cases. Only closed segments
  count; a handled case is a distinct case with a closed segment in the range (a case handled by two agents counts
  once for each in ``by=agent``). Corrections are dated by their creation and attributed to their agent, else to the
  case's assignee.
- FCR (first resolution): the population is the cases whose FIRST resolution (the earliest ``resolution``
  met/breached SLA event written by resolving) lies in the range and whose FCR window (``window_days`` after that
  first resolution) has closed by ``now``. Such a case is first-contact-resolved when exactly one inbound contact
  (the opening message) arrived up to that first resolution AND it was not reopened within the window (a reopen is
  the ``resolution started`` SLA event written on reopening). Cases still inside their window are reported as
  ``undecided`` and left out of the rate.
- Service level (case creation): % of cases whose first response (first outbound, non-internal reply) came no later
  than its due time, among cases already decided: answered, or unanswered with the due time passed by ``now``.
  ASA (average speed of answer) is the mean time from creation to first response of the answered ones.
- Escalation rate (case creation): % of the cases created that have a manual or automatic escalation.
- CSAT / NPS / CES (survey date): CSAT = % of CSAT answers 4–5; NPS = % promoters (9–10) − % detractors (0–6) of
  the NPS answers; CES = mean CES answer.
- Complaints per customer (case creation): cases in queue ``Complaints`` / distinct customers with cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from agent_console.i18n import _
from agent_console.store import metric_queries
from agent_console.store.metric_queries import COMPLAINTS_QUEUE, UNASSIGNED  # noqa: F401  (part of this API)

GROUPINGS = ("agent", "queue", "channel", "day")


class MetricError(ValueError):
    pass


@dataclass(frozen=True)
class MetricRow:
    group: str
    #: Size of the population the value is computed over (handled cases, decided cases, answers …).
    count: int
    value: float | None
    #: The parts of the formula (numerators, sums), so a report can show how the value came about.
    detail: dict[str, float | int | None] = field(default_factory=dict)


def _check_by(by: str | None) -> None:
    if by is not None and by not in GROUPINGS:
        raise MetricError(_("unknown grouping {by}; expected one of: {choices}").format(
            by=repr(by), choices=", ".join(GROUPINGS)))


def _ratio(part, whole) -> float | None:
    return None if not whole else 100.0 * part / whole


def _mean(total, count) -> float | None:
    return None if not count else float(total) / count


# --- date ranges --------------------------------------------------------------------------------------------------


def day_range(since: date | None, until: date | None, *, today: date, tz: str = "UTC",
              default_days: int = 7) -> tuple[datetime, datetime]:
    """UTC bounds for local calendar days ``since``..``until`` inclusive (default: the last ``default_days`` days)."""
    until = until or today
    since = since or (until - timedelta(days=default_days - 1))
    if since > until:
        raise MetricError(_("--since {since} is after --until {until}").format(since=since.isoformat(),
                                                                           until=until.isoformat()))
    zone = ZoneInfo(tz)
    start = datetime.combine(since, time(0, 0), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(until + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(timezone.utc)
    return start, end


# --- AHT ----------------------------------------------------------------------------------------------------------


def aht(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """Average handling time in seconds: (handle + wrap-up + corrections) / handled cases."""
    _check_by(by)
    rows = {g: [cases, float(handle), float(wrap)] for g, cases, handle, wrap in
            metric_queries.handling_rows(session, since, until, by, tz) if cases}
    corrections = {g: float(total) for g, total in metric_queries.correction_rows(session, since, until, by, tz)}

    result = []
    for g in sorted(set(rows) | {g for g, total in corrections.items() if total}):
        cases, handle, wrap = rows.get(g, [0, 0.0, 0.0])
        corr = corrections.get(g, 0.0)
        total = handle + wrap + corr
        result.append(MetricRow(g, cases, _mean(total, cases), {
            "handle_s": round(handle, 3), "wrap_up_s": round(wrap, 3), "corrections_s": round(corr, 3),
            "total_s": round(total, 3)}))
    return result


# --- FCR ----------------------------------------------------------------------------------------------------------


def fcr(session, since: datetime, until: datetime, *, now: datetime, window_days: int | None = 7,
        by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """First-contact resolution rate (see the module docstring for the exact definition).

    ``window_days=None`` gives the provisional figure the live monitor shows: every first resolution counts at once,
    first-contact-resolved when one contact arrived and the case has not been reopened (so far)."""
    if window_days is not None and window_days < 0:
        raise MetricError(_("the FCR window cannot be negative"))
    _check_by(by)
    window_s = None if window_days is None else window_days * 86400.0
    result = []
    for g, n_decided, n_fcr, n_undecided in metric_queries.first_resolution_rows(
            session, since, until, now=now, window_s=window_s, by=by, tz=tz):
        n_decided, n_fcr, n_undecided = int(n_decided or 0), int(n_fcr or 0), int(n_undecided or 0)
        if n_decided or n_undecided:
            result.append(MetricRow(g, n_decided, _ratio(n_fcr, n_decided), {
                "resolved_first_contact": n_fcr, "undecided": n_undecided, "window_days": window_days}))
    return sorted(result, key=lambda r: r.group)


# --- service level and speed of answer ----------------------------------------------------------------------------


def service_level(session, since: datetime, until: datetime, *, now: datetime, by: str | None = None,
                  tz: str = "UTC") -> list[MetricRow]:
    """% of decided cases whose first response met its target, with ASA (mean seconds to first response)."""
    _check_by(by)
    result = []
    for g, n_decided, n_met, n_answered, wait_total in metric_queries.first_response_rows(
            session, since, until, now=now, by=by, tz=tz):
        n_decided, n_met, n_answered = int(n_decided or 0), int(n_met or 0), int(n_answered or 0)
        if n_decided or n_answered:
            asa_s = _mean(float(wait_total or 0.0), n_answered)
            result.append(MetricRow(g, n_decided, _ratio(n_met, n_decided), {
                "met": n_met, "answered": n_answered, "asa_s": None if asa_s is None else round(asa_s, 3)}))
    return sorted(result, key=lambda r: r.group)


def asa(session, since: datetime, until: datetime, *, now: datetime, by: str | None = None,
        tz: str = "UTC") -> list[MetricRow]:
    """Average speed of answer in seconds (creation to first response) of the cases answered."""
    return [MetricRow(r.group, int(r.detail["answered"]), r.detail["asa_s"], {"answered": r.detail["answered"]})
            for r in service_level(session, since, until, now=now, by=by, tz=tz) if r.detail["answered"]]


# --- escalations --------------------------------------------------------------------------------------------------


def escalation_rate(session, since: datetime, until: datetime, *, by: str | None = None,
                    tz: str = "UTC") -> list[MetricRow]:
    """% of the cases created in the range that were escalated (manually or automatically)."""
    _check_by(by)
    result = [MetricRow(g, int(n), _ratio(int(n_esc or 0), int(n)), {"escalated": int(n_esc or 0),
                                                                     "automatic": int(n_auto or 0)})
              for g, n, n_esc, n_auto in metric_queries.escalation_rows(session, since, until, by=by, tz=tz) if n]
    return sorted(result, key=lambda r: r.group)


# --- surveys ------------------------------------------------------------------------------------------------------


def _survey_rows(session, since, until, by, tz):
    _check_by(by)
    return metric_queries.survey_rows(session, since, until, by=by, tz=tz)


def csat(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """% of CSAT answers that are 4 or 5."""
    return sorted((MetricRow(g, int(n), _ratio(int(sat or 0), int(n)), {"satisfied": int(sat or 0)})
                   for g, n, sat, *_ in _survey_rows(session, since, until, by, tz) if n), key=lambda r: r.group)


def nps(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """Net promoter score: % promoters (9–10) − % detractors (0–6), from −100 to 100."""
    result = []
    for g, _n, _sat, n, promoters, detractors, *_ in _survey_rows(session, since, until, by, tz):
        n, promoters, detractors = int(n), int(promoters or 0), int(detractors or 0)
        if n:
            result.append(MetricRow(g, n, 100.0 * (promoters - detractors) / n, {
                "promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors}))
    return sorted(result, key=lambda r: r.group)


def ces(session, since: datetime, until: datetime, *, by: str | None = None, tz: str = "UTC") -> list[MetricRow]:
    """Mean customer effort score (1–7)."""
    result = []
    for g, *_rest in _survey_rows(session, since, until, by, tz):
        n, total = int(_rest[5]), float(_rest[6] or 0)
        if n:
            result.append(MetricRow(g, n, total / n, {"sum": total}))
    return sorted(result, key=lambda r: r.group)


# --- complaints ---------------------------------------------------------------------------------------------------


def complaints_per_customer(session, since: datetime, until: datetime, *, by: str | None = None,
                            tz: str = "UTC") -> list[MetricRow]:
    """Cases in the Complaints queue per distinct customer with cases (created in the range)."""
    _check_by(by)
    result = [MetricRow(g, int(customers), int(complaints or 0) / int(customers), {"complaints": int(complaints or 0)})
              for g, customers, complaints in metric_queries.complaint_rows(session, since, until, by=by, tz=tz)
              if customers]
    return sorted(result, key=lambda r: r.group)
