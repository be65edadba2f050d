"""Agents: adding and updating accounts, and their state (available, handling, wrap-up, break, offline)."""

from __future__ import annotations

from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.domain.service import transaction_of
from agent_console.domain.text import UnsafeText, check_identifier, check_login, clean_text
from agent_console.i18n import _, ngettext
from agent_console.store import agent_records
from agent_console.store.db import Store
from agent_console.store.models import Agent, AgentState, Role


class AgentError(ValueError):
    pass


def validate_agent_fields(login: str, name: str, role: str, tier: int) -> tuple[str, str, str, int]:
    try:
        login = check_login(login)
    except UnsafeText as exc:
        raise AgentError(exc.reason) from None
    name = clean_text(name).strip()
    if not name:
        raise AgentError(_("an agent needs a name"))
    role = role.strip().lower()
    if role not in {r.value for r in Role}:
        raise AgentError(_("unknown role {role}; expected agent, supervisor or admin").format(role=repr(role)))
    try:
        tier = int(tier)
    except (TypeError, ValueError):
        raise AgentError(_("tier must be 1, 2 or 3, not {tier}").format(tier=repr(tier))) from None
    if tier not in (1, 2, 3):
        raise AgentError(_("tier must be 1, 2 or 3, not {tier}").format(tier=tier))
    return login, name, role, tier


def normalise_queues(queues: str, field: str = "queues") -> str:
    """Comma-separated names (queues, skills), each stripped; a name with control characters is refused."""
    try:
        names = [check_identifier(q, field, limit=64) for q in queues.split(",") if q.strip()]
    except UnsafeText as exc:
        raise AgentError(str(exc)) from None
    return ",".join(names)


def check_queues(session, queues: str) -> None:
    """Refuses queue names the store does not have (a store without queue records accepts any)."""
    from agent_console.domain.queues import unknown_queues
    from agent_console.store.queries import defined_queues

    unknown = unknown_queues(session, normalise_queues(queues).split(",") if queues.strip() else [])
    if unknown:
        raise AgentError(ngettext(
            "unknown queue {names}; the queues are: {queues} (add one with `agent-console queues add`)",
            "unknown queues {names}; the queues are: {queues} (add one with `agent-console queues add`)",
            len(unknown)).format(names=", ".join(map(repr, unknown)), queues=", ".join(defined_queues(session))))


def check_extension(session, agent: Agent | None, extension: str) -> str | None:
    """A telephone extension for ``agent`` (empty: none); refused when another agent has it already."""
    try:
        extension = check_identifier(extension, "extension", limit=32).strip()
    except UnsafeText as exc:
        raise AgentError(str(exc)) from None
    if not extension:
        return None
    if "," in extension or " " in extension:
        raise AgentError(_("extension {extension}: no spaces or commas").format(extension=repr(extension)))
    holder = agent_records.agent_with_extension(session, extension)
    if holder is not None and (agent is None or holder.id != agent.id):
        raise AgentError(_("extension {extension} belongs to {login} already").format(extension=extension,
                                                                                      login=holder.login))
    return extension


def set_extension(store: Store, clock: Clock, login: str, extension: str, *, actor_id: int | None = None
                  ) -> Agent:
    """Maps the agent's telephone extension (call events name agents by it); an empty one removes the mapping."""
    now = clock.now()
    with store.transaction() as session:
        agent = _agent(session, login)
        agent.extension = check_extension(session, agent, extension)
        agent.version += 1
        session.flush()
        audit(session, now, actor_id, "agent.extension", "agent", agent.id, login=agent.login,
              extension=agent.extension)
        return agent


def upsert_agent(store: Store | None, clock: Clock, *, login: str, name: str, role: str = "agent", tier: int = 1,
                 queues: str = "", skills: str = "", actor_id: int | None = None, session=None,
                 extension: str | None = None) -> tuple[Agent, bool]:
    """Adds the agent, or updates the one with this login (an agent deactivated before is active again); in the
    caller's ``session`` when given (``store`` may then be None), else in a transaction of its own. ``extension``
    (None: unchanged) maps the agent's telephone extension."""
    login, name, role, tier = validate_agent_fields(login, name, role, tier)
    queues, skills = normalise_queues(queues), normalise_queues(skills, "skills")
    now = clock.now()
    with transaction_of(store, session) as session:
        check_queues(session, queues)
        agent = agent_records.agent_with_login(session, login)
        created = agent is None
        if created:
            agent = Agent(login=login, name=name, role=role, tier=tier, queues=queues, skills=skills,
                          created_at=now)
            session.add(agent)
        else:
            agent.name, agent.role, agent.tier = name, role, tier
            agent.queues = queues or agent.queues
            agent.skills = skills or agent.skills
            agent.active = True
            agent.version += 1
        if extension is not None:
            agent.extension = check_extension(session, None if created else agent, extension)
        session.flush()
        audit(session, now, actor_id, "agent.add" if created else "agent.update", "agent", agent.id,
              login=login, role=role, tier=tier)
        return agent, created


def refuse_losing_the_last_admin(session, agent: Agent, what: str) -> None:
    """A floor always keeps one active admin: the last one cannot be demoted, deactivated or removed."""
    if agent.role != Role.admin or not agent.active:
        return
    from agent_console.store.accounts import other_active_admins

    if not other_active_admins(session, agent.id):
        messages = {
            "removed": _("{login} is the last admin and cannot be removed; make another account admin first"),
            "deactivated": _("{login} is the last admin and cannot be deactivated; make another account admin "
                             "first"),
            "demoted": _("{login} is the last admin and cannot be demoted; make another account admin first"),
        }
        raise AgentError(messages[what].format(login=agent.login))


def _agent(session, login: str) -> Agent:
    agent = agent_records.agent_with_login(session, login)
    if agent is None:
        raise AgentError(_("no agent with login {login}; see `agent-console agents list`").format(
            login=repr(login)))
    return agent


def deactivate_agent(store: Store, clock: Clock, login: str, *, release: bool = False,
                     actor_id: int | None = None) -> int:
    """The agent can no longer log in (their tokens are revoked) and leaves every queue; their cases and history stay
    as they are. With ``release`` their open cases go back to their queues, unassigned. Returns how many open cases
    are (or were, with ``release``) assigned to them."""
    from agent_console.domain.case_changes import touch

    now = clock.now()
    with store.transaction() as session:
        agent = _agent(session, login)
        refuse_losing_the_last_admin(session, agent, "deactivated")
        old_queues = agent.queues
        agent.active = False
        agent.queues = ""
        agent.state = AgentState.offline
        agent.state_since = now
        agent.version += 1
        for token in agent_records.unrevoked_tokens(session, agent.id):
            token.revoked_at = now
        open_cases = agent_records.open_cases_assigned_to(session, agent.id)
        if release:
            for case in open_cases:
                case.assignee_id = None
                touch(case, now)
        audit(session, now, actor_id, "agent.deactivate", "agent", agent.id, login=login, queues=old_queues,
              released=len(open_cases) if release else 0)
        return len(open_cases)


def agent_history(session, agent_id: int) -> dict[str, int]:
    """Rows of other tables that refer to the agent (cases, messages, handling time, audit events …), by table;
    log-in tokens do not count."""
    return agent_records.rows_referring_to_agent(session, agent_id, skip_tables=("auth_tokens",))


def remove_agent(store: Store, clock: Clock, login: str, actor_id: int | None = None) -> None:
    """Deletes an agent nothing refers to (e.g. one added by mistake). An agent with history (cases, messages,
    handling time, state changes …) is refused: deactivate them instead, so reports keep their figures."""
    now = clock.now()
    with store.transaction() as session:
        agent = _agent(session, login)
        refuse_losing_the_last_admin(session, agent, "removed")
        history = agent_history(session, agent.id)
        if history:
            listed = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in sorted(history.items()))
            raise AgentError(_("{login} has history ({history}); deactivate the agent instead "
                               "(`agent-console agents deactivate {login}`)").format(login=login, history=listed))
        for token in agent_records.tokens_of(session, agent.id):
            session.delete(token)
        agent_id = agent.id
        session.delete(agent)
        session.flush()
        audit(session, now, actor_id, "agent.remove", "agent", agent_id, login=login)
