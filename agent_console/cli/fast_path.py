"""``case list --json`` and ``case show KEY --json`` answered before Typer is imported (issue #16, point 6).

Importing Typer (with Click and pydantic) costs a short command most of its run. ``main`` hands its arguments here
first; when they are one of these two commands in a plain form (the options below, each at most once, values not
looking like options) and the store can be read through ``store/fast_read.py``, the JSON is printed from the same
functions the Typer commands use (``cli/case_json.py``). Anything else — help, another command, an unknown or
repeated option, a bad value, a view that needs the acting agent, a store the fast reader leaves alone, an unknown
case key, any error while reading — is left to Typer, which parses, explains and fails exactly as it always has.
"""

from __future__ import annotations

import re

_ROOT_OPTIONS = ("--db", "--agent")
_LIST_OPTIONS = ("--view", "--queue", "--channel", "--limit")
#: The views whose JSON needs no acting agent (``mine`` does; an unknown one is Typer's to refuse).
_FAST_VIEWS = ("unassigned", "open", "all")
_DIGITS = re.compile(r"[0-9]+")


def _options(tokens: list[str], names: tuple[str, ...], flags: tuple[str, ...] = ()
             ) -> tuple[dict[str, str | bool], list[str]] | None:
    """The options (``--name value``, ``--name=value``, flags) and positional arguments of ``tokens``, or None when
    anything is not plain: an unknown option, a repeated one, a missing value or a value that starts with '-'."""
    found: dict[str, str | bool] = {}
    positional: list[str] = []
    rest = list(tokens)
    while rest:
        token = rest.pop(0)
        if not token.startswith("-"):
            positional.append(token)
            continue
        name, has_value, value = token.partition("=")
        if name in flags and not has_value:
            if name in found:
                return None
            found[name] = True
            continue
        if name not in names or name in found:
            return None
        if not has_value:
            if not rest:
                return None
            value = rest.pop(0)
        if value.startswith("-"):
            return None
        found[name] = value
    return found, positional


def run_case_json(args: list[str]) -> bool:
    """Print the JSON of ``case list --json`` / ``case show KEY --json`` and return True, or return False (having
    printed nothing) to leave the arguments to Typer."""
    try:
        command = args.index("case")
    except ValueError:
        return False
    root = _options(args[:command], _ROOT_OPTIONS)
    if root is None or root[1] or len(args) < command + 2:
        return False
    options = root[0]
    name, tokens = args[command + 1], args[command + 2:]
    if name == "list":
        parsed = _options(tokens, _LIST_OPTIONS, ("--json",))
        if parsed is None or parsed[1] or "--json" not in parsed[0] or "--agent" in options:
            return False
        return _list(options.get("--db"), parsed[0])
    if name == "show":
        parsed = _options(tokens, (), ("--json",))
        if parsed is None or len(parsed[1]) != 1 or "--json" not in parsed[0]:
            return False
        return _show(options.get("--db"), parsed[1][0])
    return False


def _reader(db_option: str | None):
    from agent_console.config import SettingsError, resolve_db_path
    from agent_console.store import fast_read

    try:
        path = resolve_db_path(db_option)
    except SettingsError:
        return None, None
    return path, fast_read.open_at_head(path)


def _list(db_option: str | None, options: dict) -> bool:
    from agent_console.cli.case_json import list_items, read_list_fast
    from agent_console.cli.plain import acting_login, print_json
    from agent_console.config import load_settings
    from agent_console.domain.clock import SystemClock

    view = options.get("--view", "open")
    limit = options.get("--limit", "50")
    if view not in _FAST_VIEWS or not _DIGITS.fullmatch(limit) or int(limit) < 1:
        return False
    now = SystemClock().now()
    path, reader = _reader(db_option)
    if reader is None:
        return False
    try:
        if acting_login(None, lambda: path, load_settings):
            reader.close()
            return False
        ids, rows, policies = read_list_fast(reader, view=view, queue=options.get("--queue"),
                                             channel=options.get("--channel"), limit=int(limit))
        _, items = list_items(ids, rows, policies, now)
    except Exception:  # a bad settings file, a read error: Typer's path repeats it and explains
        reader.close()
        return False
    print_json(items)
    return True


def _show(db_option: str | None, key: str) -> bool:
    from agent_console.cli.case_json import read_show_fast, show_data
    from agent_console.cli.plain import print_json
    from agent_console.domain.clock import SystemClock
    from agent_console.domain.sla import case_countdown, running_targets

    now = SystemClock().now()
    _, reader = _reader(db_option)
    if reader is None:
        return False
    try:
        (case, customer, assignee, messages, policy, escalations, follow_ups, mails,
         calls, merge, attachments) = read_show_fast(reader, key)
        data = show_data(case, customer, assignee, messages, case_countdown(case, policy, now),
                         running_targets(case, policy, now), escalations, follow_ups, mails, calls, merge,
                         attachments)
    except Exception:  # an unknown key, a read error: Typer's path repeats it and explains
        return False
    print_json(data)
    return True
