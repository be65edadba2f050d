"""The console's key map: every action's default key, and the agent's rebinding from ``Settings.keys``.

UI configuration, so it lives outside the domain (the domain knows nothing of keys or screens).

Plain data, no Textual: the screens turn these entries into ``Binding``s (with the entry's name as the binding id),
and the app hands ``keymap(settings.keys)`` to Textual's keymap so a rebinding reaches every screen at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class KeyMapError(ValueError):
    """A ``keys`` setting names an unknown action or an unusable key."""


@dataclass(frozen=True)
class KeyAction:
    #: The name agents use in the settings file (``[keys] claim = "ctrl+l"``) and the binding id.
    name: str
    #: Where the key works: app | queue | case | a dialog's or the monitor's scope (each screen takes one scope).
    scope: str
    #: The Textual action it runs (``action_<action>`` on the screen or app).
    action: str
    key: str
    description: str
    #: Shown in the footer (all keys are shown by ``?`` and in the command palette either way).
    show: bool = True
    #: Works even while the reply editor has focus (keys the text editor would otherwise take).
    priority: bool = False
    #: Other words the command palette finds the action by (its description is always searched).
    keywords: str = ""


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("quit", "app", "quit", "ctrl+q", "Quit", show=False, priority=True),
    KeyAction("help", "app", "show_keys", "question_mark", "Keys", show=True),
    # Agent state: on every screen, so a break or picking the wrap-up code later is one key away.
    KeyAction("take_break", "app", "take_break", "b", "Break"),
    KeyAction("available", "app", "available", "v", "Available"),
    KeyAction("wrap_up", "app", "wrap_up", "w", "Wrap-up code"),
    # --- the queue ---
    KeyAction("open_case", "queue", "open_case", "enter", "Open"),
    KeyAction("claim", "queue", "claim", "c", "Claim"),
    KeyAction("next_case", "queue", "next_case", "n", "Next case"),
    # Not in the footer (no room at 80 columns): `?`, the palette and the README's key table name it.
    KeyAction("new_case", "queue", "new_case", "N", "New case", show=False,
              keywords="create a case: a call, a walk-in"),
    KeyAction("filter", "queue", "filter", "slash", "Filter"),
    KeyAction("sort", "queue", "choose_sort", "s", "Sort"),
    KeyAction("reverse_sort", "queue", "reverse_sort", "S", "Reverse sort", show=False),
    KeyAction("view_mine", "queue", "view('mine')", "m", "Mine"),
    KeyAction("view_unassigned", "queue", "view('unassigned')", "u", "Unassigned"),
    KeyAction("view_open", "queue", "view('open')", "o", "All open"),
    KeyAction("view_all", "queue", "view('all')", "a", "All incl. closed", show=False),
    KeyAction("view_queue", "queue", "choose_queue", "Q", "By queue", show=False),
    KeyAction("view_channel", "queue", "choose_channel", "H", "By channel", show=False),
    KeyAction("view_follow_ups", "queue", "view('follow_ups')", "f", "Follow-ups"),
    KeyAction("refresh", "queue", "refresh_queue", "ctrl+r", "Refresh", show=False),
    KeyAction("clear_filter", "queue", "clear_filter", "escape", "Clear filter", show=False),
    # --- the case ---
    KeyAction("reply", "case", "reply", "r", "Reply"),
    KeyAction("note", "case", "note", "i", "Note"),
    KeyAction("send", "case", "send", "ctrl+s", "Send", priority=True),
    KeyAction("send_resolve", "case", "send_and('resolved')", "ctrl+r", "Send & resolve", priority=True),
    KeyAction("send_pending", "case", "send_and('pending')", "ctrl+o", "Send & set pending", priority=True),
    KeyAction("back", "case", "back", "escape", "Back / leave editor", priority=True),
    KeyAction("case_claim", "case", "claim", "c", "Claim"),
    KeyAction("case_release", "case", "release", "l", "Release", show=False),
    KeyAction("change_status", "case", "change_status", "t", "Status"),
    KeyAction("change_priority", "case", "change_priority", "p", "Priority"),
    KeyAction("change_queue", "case", "change_queue", "g", "Queue"),
    KeyAction("resolve", "case", "resolve", "x", "Resolve"),
    KeyAction("reopen", "case", "reopen", "O", "Reopen", show=False),
    KeyAction("escalate", "case", "escalate", "e", "Escalate"),
    KeyAction("customer_cases", "case", "focus_history", "h", "Customer's cases", show=False),
    KeyAction("focus_thread", "case", "focus_thread", "T", "Thread", show=False),
    KeyAction("canned", "case", "canned", "ctrl+t", "Canned", priority=True),
    KeyAction("kb_search", "case", "kb_search", "ctrl+k", "KB", priority=True),
    # --- the canned-response picker, its manager and its editor ---
    KeyAction("canned_insert", "canned", "choose", "enter", "Insert", priority=True),
    KeyAction("canned_cancel", "canned", "cancel", "escape", "Cancel"),
    KeyAction("canned_down", "canned", "move(1)", "down", "Down", show=False),
    KeyAction("canned_up", "canned", "move(-1)", "up", "Up", show=False),
    KeyAction("canned_page_down", "canned", "move(8)", "pagedown", "Page down", show=False),
    KeyAction("canned_page_up", "canned", "move(-8)", "pageup", "Page up", show=False),
    KeyAction("canned_category", "canned", "next_category", "ctrl+g", "Category"),
    KeyAction("canned_new", "canned", "new", "ctrl+n", "New", priority=True),
    KeyAction("canned_edit", "canned", "edit", "ctrl+e", "Edit", priority=True),
    KeyAction("canned_delete", "canned", "delete", "ctrl+d", "Delete", priority=True),
    KeyAction("canned_manage_edit", "canned_manager", "choose", "enter", "Edit", priority=True),
    KeyAction("canned_save", "canned_editor", "save", "ctrl+s", "Save", priority=True),
    KeyAction("canned_editor_cancel", "canned_editor", "cancel", "escape", "Cancel", priority=True),
    # --- the knowledge base ---
    KeyAction("kb_open", "kb", "open", "enter", "Open", priority=True),
    KeyAction("kb_back", "kb", "back", "escape", "Back"),
    KeyAction("kb_down", "kb", "move(1)", "down", "Down", show=False),
    KeyAction("kb_up", "kb", "move(-1)", "up", "Up", show=False),
    KeyAction("kb_page_down", "kb", "move(8)", "pagedown", "Page down", show=False),
    KeyAction("kb_page_up", "kb", "move(-8)", "pageup", "Page up", show=False),
    KeyAction("kb_switch_tab", "kb", "switch_tab", "f2", "Articles/Answered"),
    KeyAction("kb_insert_link", "kb", "insert_link", "f3", "Insert link"),
    KeyAction("kb_insert_excerpt", "kb", "insert_excerpt", "f4", "Insert excerpt"),
    KeyAction("kb_link_case", "kb", "link_case", "f5", "Link to case"),
    KeyAction("kb_helpful", "kb", "helpful", "f6", "Helpful"),
    KeyAction("kb_select_excerpt", "kb", "select_excerpt", "f7", "Select excerpt"),
    KeyAction("kb_language", "kb", "next_language", "ctrl+l", "Language", show=False),
    KeyAction("kb_tag", "kb", "next_tag", "ctrl+g", "Tag", show=False),
    # --- the small dialogs ---
    KeyAction("escalate_cancel", "escalate", "cancel", "escape", "Cancel"),
    KeyAction("escalate_submit", "escalate", "submit", "ctrl+s", "Escalate", priority=True),
    KeyAction("help_close", "help", "close", "escape,question_mark,q", "Close"),
    KeyAction("wrap_up_later", "wrap_up", "cancel", "escape", "Later"),
    KeyAction("pick_cancel", "pick", "cancel", "escape", "Cancel"),
    KeyAction("new_case_create", "new_case", "submit", "ctrl+s", "Create case", priority=True),
    KeyAction("new_case_cancel", "new_case", "cancel", "escape", "Cancel"),
    KeyAction("new_case_down", "new_case", "move(1)", "down", "Next customer", show=False),
    KeyAction("new_case_up", "new_case", "move(-1)", "up", "Previous customer", show=False),
    KeyAction("confirm_yes", "confirm", "confirm", "y,enter", "Yes", priority=True),
    KeyAction("confirm_no", "confirm", "cancel", "n,escape", "Cancel", priority=True),
    # --- the supervisor's live monitor (agent-console monitor) ---
    KeyAction("monitor_quit", "monitor_app", "quit", "ctrl+q", "Quit", show=False, priority=True),
    KeyAction("monitor_refresh", "monitor", "refresh", "r", "Refresh"),
    KeyAction("monitor_channels", "monitor", "toggle_channels", "c", "Channels"),
    KeyAction("monitor_floor", "monitor", "focus_floor", "f", "Floor"),
    KeyAction("monitor_queues", "monitor", "focus_tiles", "t", "Queues"),
    KeyAction("monitor_agents", "monitor", "focus_agents", "g", "Agents"),
    KeyAction("monitor_due", "monitor", "focus_due", "d", "Due"),
    KeyAction("monitor_wallboard", "monitor", "wallboard", "w", "Wallboard"),
    KeyAction("monitor_leave", "monitor", "quit", "q", "Quit"),
    KeyAction("wallboard_leave", "wallboard", "leave", "w", "Monitor"),
    KeyAction("wallboard_refresh", "wallboard", "refresh", "r", "Refresh"),
    KeyAction("wallboard_quit", "wallboard", "quit", "q", "Quit"),
    KeyAction("monitor_open_case", "monitor_cases", "open_case", "enter", "Open"),
    KeyAction("monitor_back", "monitor_case", "back", "escape", "Back"),
    KeyAction("monitor_assign", "monitor_case", "reassign", "a", "Assign"),
    KeyAction("monitor_escalate", "monitor_case", "escalate", "e", "Escalate"),
    KeyAction("monitor_priority", "monitor_case", "priority", "p", "Priority"),
    KeyAction("monitor_move_queue", "monitor_case", "move_queue", "g", "Queue"),
    KeyAction("monitor_take", "monitor_case", "take", "c", "Take"),
    KeyAction("monitor_reload", "monitor_case", "reload", "r", "Reload"),
    KeyAction("reason_cancel", "reason", "cancel", "escape", "Cancel"),
)

#: Printable keys Textual spells by name in bindings.
_KEY_NAMES = {"?": "question_mark", "/": "slash", " ": "space", ",": "comma", ".": "full_stop", "-": "minus",
              "+": "plus", ":": "colon", ";": "semicolon", "!": "exclamation_mark", "#": "number_sign",
              "<": "less_than_sign", ">": "greater_than_sign", "=": "equals_sign"}
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_+\-]+$")


def actions_for(scope: str) -> list[KeyAction]:
    return [a for a in ACTIONS if a.scope == scope]


def action_named(name: str) -> KeyAction:
    for action in ACTIONS:
        if action.name == name:
            return action
    raise KeyMapError(f"unknown key action {name!r}; known: {', '.join(a.name for a in ACTIONS)}")


def normalise_key(key: str) -> str:
    """``?`` -> ``question_mark`` etc.; several keys are separated by commas."""
    parts = []
    for raw in str(key).split(","):
        raw = raw.strip() if raw.strip() else raw
        if not raw:
            continue
        name = _KEY_NAMES.get(raw, raw)
        if not _KEY_PATTERN.match(name):
            raise KeyMapError(f"key {raw!r} is not a key name Textual understands (e.g. 'c', 'ctrl+s', 'f5')")
        parts.append(name)
    if not parts:
        raise KeyMapError(f"empty key {key!r}")
    return ",".join(parts)


def keymap(overrides: dict[str, str] | None) -> dict[str, str]:
    """Binding id -> key for every action the settings rebind; unknown names or bad keys are an error."""
    result = {}
    for name, key in (overrides or {}).items():
        action = action_named(name)
        result[action.name] = normalise_key(key)
    return result


def effective_keys(overrides: dict[str, str] | None) -> dict[str, str]:
    """Every action's key after rebinding (for the help screen and the CLI)."""
    rebound = keymap(overrides)
    return {a.name: rebound.get(a.name, a.key) for a in ACTIONS}
