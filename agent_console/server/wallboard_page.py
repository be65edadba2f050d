"""The wallboard's figures as HTML: the floor's large figures, the help center's self-service today, queues, service
level per channel, agents by state.

The same figures as the console's wallboard (``domain.monitor.compute_snapshot``). Every state is shown by colour
AND symbol (``LEVEL_SYMBOL``), so it reads without colour vision and from across a room."""

from __future__ import annotations

from agent_console.domain.monitor import LEVEL_SYMBOL, GroupFigures, Level, MonitorSnapshot, worst
from agent_console.formatting import date_time, duration, number, percent
from agent_console.i18n import N_, _
from agent_console.server.web_page import escape
from agent_console.widgets.labels import agent_state_label, channel_label

SERVICE_LEVEL_PER_CHANNEL = N_("Service level per channel")
AGENTS_BY_STATE = N_("Agents by state")
SELF_SERVICE_TODAY = N_("Self-service today")


LEVEL_WORDS = {Level.ok: N_("ok"), Level.warning: N_("warning"), Level.critical: N_("critical")}
AGENT_STATE_SYMBOL = {"available": "●", "handling": "◆", "wrap_up": "◇", "break": "■", "offline": "○"}
AGENT_STATES = ("available", "handling", "wrap_up", "break", "offline")

STYLE = """
body{background:#111;color:#f5f5f5}header{border-color:#444}a,.site{color:#9cc3ff}
header,main{max-width:none}
.figures{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.big{flex:1 1 12rem;border:3px solid #555;border-radius:0.5rem;padding:0.5rem 1rem;text-align:center}
.big .value{display:block;font-size:clamp(2.5rem,6vw,6rem);font-weight:bold;line-height:1.1;white-space:nowrap}
.big .sym,.big [aria-hidden]{font-size:0.55em;vertical-align:middle;margin-right:0.15em}
.big .label{display:block;font-size:1.4rem}
.ok{border-color:#22c55e}.ok .sym{color:#4ade80}.warning{border-color:#f59e0b}.warning .sym{color:#fbbf24}
.critical{border-color:#ef4444}.big.critical,tr.critical{background:#3b0d0d}.critical .sym{color:#f87171}
table.wall{border-collapse:collapse;font-size:1.6rem;width:100%;margin-bottom:1.5rem}
table.wall th,table.wall td{border:1px solid #555;padding:0.3rem 0.7rem;text-align:right}
table.wall th:first-child,table.wall td:first-child{text-align:left}
h2{font-size:1.6rem;margin:1rem 0 0.3rem}.status{font-size:1.4rem}.vh{position:absolute;left:-9999px}
"""


def _level_mark(level: Level) -> str:
    return (f'<span class="sym" aria-hidden="true">{LEVEL_SYMBOL[level]}</span>'
            f'<span class="vh">{escape(_(LEVEL_WORDS[level]))}'
            f'</span>')


def _big(label: str, value: str, level: Level | None = None, test_id: str = "") -> str:
    level_class = level.value if level is not None else ""
    mark = _level_mark(level) + " " if level is not None else ""
    return (f'<div class="big {level_class}" data-figure="{escape(test_id)}"><span class="value">{mark}'
            f'{escape(value)}</span><span class="label">{escape(label)}</span></div>')


def _row(cells: list[str], level: Level) -> str:
    first, rest = cells[0], cells[1:]
    return (f'<tr class="{level.value}"><td>{_level_mark(level)} {escape(first)}</td>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in rest) + "</tr>")


def _group_level(group: GroupFigures) -> Level:
    return worst(group.levels.values()) if group.levels else Level.ok


def _self_service(snapshot: MonitorSnapshot) -> str:
    """The help center today, as the monitor's floor line shows it: self-service resolutions ("yes" answers), the
    deflection (by colour and symbol against its threshold) and the contact forms — once it was used today."""
    if not snapshot.help_center_used:
        return ""
    return "".join([
        f'<h2>{escape(_(SELF_SERVICE_TODAY))}</h2><div class="figures">',
        _big(_("self-service resolutions"), number(snapshot.self_service_resolutions), None, "self-service"),
        _big(_("deflection"), percent(snapshot.deflection), snapshot.self_service_level, "deflection"),
        _big(_("contact forms sent"), number(snapshot.contact_forms), None, "contact-forms"),
        "</div>"])


def figures_html(snapshot: MonitorSnapshot, zone) -> str:
    """The wallboard's content (one line: it travels as one server-sent event)."""
    floor = snapshot.floor
    local = snapshot.taken_at.astimezone(zone)
    levels = floor.levels
    parts = [f'<p class="status"><span class="{_group_level(floor).value}">{_level_mark(_group_level(floor))}</span> '
             f'{escape(_("Contact center — live"))} · {escape(date_time(local, "time"))} {escape(local.tzname())}'
             f'</p><div class="figures">',
             _big(_("waiting"), number(floor.waiting), levels.get("waiting", Level.ok), "waiting"),
             _big(_("callers waiting"), number(floor.callers_waiting), None, "callers"),
             _big(_("longest wait"), duration(floor.longest_wait_s), levels.get("longest_wait_s", Level.ok),
                  "longest"),
             _big(_("service level"), percent(floor.service_level), levels.get("service_level", Level.ok), "sl"),
             _big(_("breached"), number(floor.breached), levels.get("breached", Level.ok), "breached"),
             _big(_("agents available"), number(snapshot.agent_states.get("available", 0)), None, "available"),
             "</div>", _self_service(snapshot)]
    parts.append(f'<h2>{escape(_("Queues"))}</h2><table class="wall"><thead><tr><th scope="col">'
                 f'{escape(_("Queue"))}</th><th scope="col">{escape(_("waiting"))}</th><th scope="col">'
                 f'{escape(_("callers waiting"))}</th><th scope="col">{escape(_("longest wait"))}</th>'
                 f'<th scope="col">{escape(_("service level"))}</th></tr></thead><tbody>')
    for queue in snapshot.queues:
        longest = max((s for s in (queue.longest_wait_s, queue.longest_call_wait_s) if s is not None), default=None)
        parts.append(_row([queue.name, number(queue.waiting), number(queue.callers_waiting), duration(longest),
                           percent(queue.service_level)], _group_level(queue)))
    parts.append(f'</tbody></table><h2>{escape(_(SERVICE_LEVEL_PER_CHANNEL))}</h2><table class="wall"><thead><tr>'
                 f'<th scope="col">{escape(_("Channel"))}</th><th scope="col">{escape(_("service level"))}</th>'
                 f'<th scope="col">{escape(_("goal"))}</th><th scope="col">{escape(_("waiting"))}</th></tr>'
                 f'</thead><tbody>')
    for channel in snapshot.channels:
        parts.append(_row([channel_label(channel.name), percent(channel.service_level),
                           percent(channel.service_level_goal), number(channel.waiting)], _group_level(channel)))
    parts.append(f'</tbody></table><h2>{escape(_(AGENTS_BY_STATE))}</h2><div class="figures">')
    for state in AGENT_STATES:
        parts.append(f'<div class="big" data-figure="agents-{state}"><span class="value"><span aria-hidden="true">'
                     f'{AGENT_STATE_SYMBOL[state]}</span> {escape(number(snapshot.agent_states.get(state, 0)))}'
                     f'</span><span class="label">{escape(agent_state_label(state))}</span></div>')
    parts.append("</div>")
    return "".join(parts).replace("\n", "&#10;").replace("\r", "&#13;")


LIVE_SCRIPT = """(function () {
  var box = document.getElementById('figures');
  if (!box || !window.EventSource) { return; }
  var events = new EventSource('/wallboard/events');
  events.addEventListener('figures', function (event) {
    box.innerHTML = event.data;
    document.documentElement.setAttribute('data-live', 'on');
  });
  events.addEventListener('ended', function () { events.close(); window.location.reload(); });
})();
"""
