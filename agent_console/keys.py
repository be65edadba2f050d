"""The console's key map: every action's default key, and the agent's rebinding from ``Settings.keys``.

UI configuration, so it lives outside the domain (the domain knows nothing of keys or screens).

Plain data, no Textual: the screens turn these entries into ``Binding``s (with the entry's name as the binding id),
and the app hands ``keymap(settings.keys)`` to Textual's keymap so a rebinding reaches every screen at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_console.i18n import N_, _


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
    #: The label in the source language (English), marked for the catalog; screens show ``i18n._(description)``.
    description: str
    #: Shown in the footer (all keys are shown by ``?`` and in the command palette either way).
    show: bool = True
    #: Works even while the reply editor has focus (keys the text editor would otherwise take).
    priority: bool = False
    #: Other words the command palette finds the action by (its description is always searched); marked with
    #: ``N_``, searched in the interface language.
    keywords: str = ""


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("quit", "app", "quit", "ctrl+q", N_("Quit"), show=False, priority=True),
    KeyAction("help", "app", "show_keys", "question_mark", N_("Keys"), show=True),
    # Agent state: on every screen, so a break or picking the wrap-up code later is one key away.
    KeyAction("take_break", "app", "take_break", "b", N_("Break")),
    KeyAction("available", "app", "available", "v", N_("Available")),
    KeyAction("wrap_up", "app", "wrap_up", "w", N_("Wrap-up code")),
    # Priority: works while typing a reply too (no text widget of the console uses ctrl+f).
    KeyAction("search_cases", "app", "search_cases", "ctrl+f", N_("Search cases"), priority=True,
              keywords="find a case, a customer, a phone number, an e-mail, a message"),
    KeyAction("missed_calls", "app", "missed_calls", "M", N_("Missed calls"), show=False,
              keywords=N_("call back, callers who gave up, phone")),
    # --- the queue ---
    KeyAction("open_case", "queue", "open_case", "enter", N_("Open")),
    KeyAction("claim", "queue", "claim", "c", N_("Claim")),
    KeyAction("next_case", "queue", "next_case", "n", N_("Next case")),
    # Not in the footer (no room at 80 columns): `?`, the palette and the README's key table name it.
    KeyAction("new_case", "queue", "new_case", "N", N_("New case"), show=False,
              keywords=N_("create a case: a call, a walk-in")),
    KeyAction("filter", "queue", "filter", "slash", N_("Filter")),
    KeyAction("sort", "queue", "choose_sort", "s", N_("Sort")),
    KeyAction("reverse_sort", "queue", "reverse_sort", "S", N_("Reverse sort"), show=False),
    KeyAction("view_mine", "queue", "view('mine')", "m", N_("Mine")),
    KeyAction("view_unassigned", "queue", "view('unassigned')", "u", N_("Unassigned")),
    KeyAction("view_open", "queue", "view('open')", "o", N_("All open")),
    KeyAction("view_all", "queue", "view('all')", "a", N_("All incl. closed"), show=False),
    KeyAction("view_queue", "queue", "choose_queue", "Q", N_("By queue"), show=False),
    KeyAction("view_channel", "queue", "choose_channel", "H", N_("By channel"), show=False),
    KeyAction("view_follow_ups", "queue", "view('follow_ups')", "f", N_("Follow-ups")),
    KeyAction("refresh", "queue", "refresh_queue", "ctrl+r", N_("Refresh"), show=False),
    KeyAction("clear_filter", "queue", "clear_filter", "escape", N_("Clear filter"), show=False),
    # --- the case ---
    KeyAction("reply", "case", "reply", "r", N_("Reply")),
    KeyAction("note", "case", "note", "i", N_("Note")),
    KeyAction("send", "case", "send", "ctrl+s", N_("Send"), priority=True),
    KeyAction("send_resolve", "case", "send_and('resolved')", "ctrl+r", N_("Send & resolve"), priority=True),
    KeyAction("send_pending", "case", "send_and('pending')", "ctrl+o", N_("Send & set pending"), priority=True),
    KeyAction("back", "case", "back", "escape", N_("Back / leave editor"), priority=True),
    KeyAction("case_claim", "case", "claim", "c", N_("Claim")),
    KeyAction("case_release", "case", "release", "l", N_("Release"), show=False),
    KeyAction("change_status", "case", "change_status", "t", N_("Status")),
    KeyAction("change_priority", "case", "change_priority", "p", N_("Priority")),
    KeyAction("change_queue", "case", "change_queue", "g", N_("Queue")),
    KeyAction("resolve", "case", "resolve", "x", N_("Resolve")),
    KeyAction("reopen", "case", "reopen", "O", N_("Reopen"), show=False),
    KeyAction("escalate", "case", "escalate", "e", N_("Escalate")),
    KeyAction("customer_cases", "case", "focus_history", "h", N_("Customer's cases"), show=False),
    KeyAction("focus_thread", "case", "focus_thread", "T", N_("Thread"), show=False),
    KeyAction("canned", "case", "canned", "ctrl+t", N_("Canned"), priority=True),
    KeyAction("kb_search", "case", "kb_search", "ctrl+k", N_("KB"), priority=True),
    KeyAction("merge_link", "case", "merge_or_link", "m", N_("Merge / link"), show=False,
              keywords=N_("merge a duplicate case, link related cases, unlink")),
    KeyAction("split_case", "case", "split_case", "S", N_("Split"), show=False,
              keywords=N_("split off messages into a new case")),
    # --- the case search ---
    KeyAction("case_search_open", "case_search", "open_case", "enter", N_("Open"), priority=True),
    KeyAction("case_search_back", "case_search", "back", "escape", N_("Back")),
    KeyAction("case_search_down", "case_search", "move(1)", "down", N_("Down"), show=False),
    KeyAction("case_search_up", "case_search", "move(-1)", "up", N_("Up"), show=False),
    KeyAction("case_search_page_down", "case_search", "move(8)", "pagedown", N_("Page down"), show=False),
    KeyAction("case_search_page_up", "case_search", "move(-8)", "pageup", N_("Page up"), show=False),
    # --- the screen pop of a ringing call (over any screen, also while typing a reply) ---
    KeyAction("call_pop_open", "call_pop", "open_case", "ctrl+o", N_("Open case"), priority=True),
    KeyAction("call_pop_new_case", "call_pop", "new_case", "ctrl+n", N_("New phone case"), priority=True),
    KeyAction("call_pop_dismiss", "call_pop", "dismiss_pop", "escape", N_("Dismiss"), priority=True),
    # --- the missed calls to call back ---
    KeyAction("missed_open", "missed_calls", "open_case", "enter", N_("Open case"), priority=True),
    KeyAction("missed_called_back", "missed_calls", "called_back", "k", N_("Called back")),
    KeyAction("missed_back", "missed_calls", "back", "escape", N_("Back")),
    KeyAction("missed_refresh", "missed_calls", "reload", "ctrl+r", N_("Refresh"), show=False),
    # --- the canned-response picker, its manager and its editor ---
    KeyAction("canned_insert", "canned", "choose", "enter", N_("Insert"), priority=True),
    KeyAction("canned_cancel", "canned", "cancel", "escape", N_("Cancel")),
    KeyAction("canned_down", "canned", "move(1)", "down", N_("Down"), show=False),
    KeyAction("canned_up", "canned", "move(-1)", "up", N_("Up"), show=False),
    KeyAction("canned_page_down", "canned", "move(8)", "pagedown", N_("Page down"), show=False),
    KeyAction("canned_page_up", "canned", "move(-8)", "pageup", N_("Page up"), show=False),
    KeyAction("canned_category", "canned", "next_category", "ctrl+g", N_("Category")),
    KeyAction("canned_new", "canned", "new", "ctrl+n", N_("New"), priority=True),
    KeyAction("canned_edit", "canned", "edit", "ctrl+e", N_("Edit"), priority=True),
    KeyAction("canned_delete", "canned", "delete", "ctrl+d", N_("Delete"), priority=True),
    KeyAction("canned_manage_edit", "canned_manager", "choose", "enter", N_("Edit"), priority=True),
    KeyAction("canned_save", "canned_editor", "save", "ctrl+s", N_("Save"), priority=True),
    KeyAction("canned_editor_cancel", "canned_editor", "cancel", "escape", N_("Cancel"), priority=True),
    # --- the knowledge base ---
    KeyAction("kb_open", "kb", "open", "enter", N_("Open"), priority=True),
    KeyAction("kb_back", "kb", "back", "escape", N_("Back")),
    KeyAction("kb_down", "kb", "move(1)", "down", N_("Down"), show=False),
    KeyAction("kb_up", "kb", "move(-1)", "up", N_("Up"), show=False),
    KeyAction("kb_page_down", "kb", "move(8)", "pagedown", N_("Page down"), show=False),
    KeyAction("kb_page_up", "kb", "move(-8)", "pageup", N_("Page up"), show=False),
    KeyAction("kb_switch_tab", "kb", "switch_tab", "f2", N_("Articles/Answered")),
    KeyAction("kb_insert_link", "kb", "insert_link", "f3", N_("Insert link")),
    KeyAction("kb_insert_excerpt", "kb", "insert_excerpt", "f4", N_("Insert excerpt")),
    KeyAction("kb_link_case", "kb", "link_case", "f5", N_("Link to case")),
    KeyAction("kb_helpful", "kb", "helpful", "f6", N_("Helpful")),
    KeyAction("kb_select_excerpt", "kb", "select_excerpt", "f7", N_("Select excerpt")),
    KeyAction("kb_language", "kb", "next_language", "ctrl+l", N_("Language"), show=False),
    KeyAction("kb_tag", "kb", "next_tag", "ctrl+g", N_("Tag"), show=False),
    # --- the small dialogs ---
    KeyAction("escalate_cancel", "escalate", "cancel", "escape", N_("Cancel")),
    KeyAction("escalate_submit", "escalate", "submit", "ctrl+s", N_("Escalate"), priority=True),
    KeyAction("help_close", "help", "close", "escape,question_mark,q", N_("Close")),
    KeyAction("wrap_up_later", "wrap_up", "cancel", "escape", N_("Later")),
    KeyAction("pick_cancel", "pick", "cancel", "escape", N_("Cancel")),
    KeyAction("new_case_create", "new_case", "submit", "ctrl+s", N_("Create case"), priority=True),
    KeyAction("new_case_cancel", "new_case", "cancel", "escape", N_("Cancel")),
    KeyAction("new_case_down", "new_case", "move(1)", "down", N_("Next customer"), show=False),
    KeyAction("new_case_up", "new_case", "move(-1)", "up", N_("Previous customer"), show=False),
    KeyAction("confirm_yes", "confirm", "confirm", "y,enter", N_("Yes"), priority=True),
    KeyAction("confirm_no", "confirm", "cancel", "n,escape", N_("Cancel"), priority=True),
    # --- the supervisor's live monitor (agent-console monitor) ---
    KeyAction("monitor_quit", "monitor_app", "quit", "ctrl+q", N_("Quit"), show=False, priority=True),
    KeyAction("monitor_refresh", "monitor", "refresh", "r", N_("Refresh")),
    KeyAction("monitor_channels", "monitor", "toggle_channels", "c", N_("Channels")),
    KeyAction("monitor_floor", "monitor", "focus_floor", "f", N_("Floor")),
    KeyAction("monitor_queues", "monitor", "focus_tiles", "t", N_("Queues")),
    KeyAction("monitor_agents", "monitor", "focus_agents", "g", N_("Agents")),
    KeyAction("monitor_due", "monitor", "focus_due", "d", N_("Due")),
    KeyAction("monitor_wallboard", "monitor", "wallboard", "w", N_("Wallboard")),
    KeyAction("monitor_leave", "monitor", "quit", "q", N_("Quit")),
    KeyAction("wallboard_leave", "wallboard", "leave", "w", N_("Monitor")),
    KeyAction("wallboard_refresh", "wallboard", "refresh", "r", N_("Refresh")),
    KeyAction("wallboard_quit", "wallboard", "quit", "q", N_("Quit")),
    KeyAction("monitor_open_case", "monitor_cases", "open_case", "enter", N_("Open")),
    KeyAction("monitor_back", "monitor_case", "back", "escape", N_("Back")),
    KeyAction("monitor_assign", "monitor_case", "reassign", "a", N_("Assign")),
    KeyAction("monitor_escalate", "monitor_case", "escalate", "e", N_("Escalate")),
    KeyAction("monitor_priority", "monitor_case", "priority", "p", N_("Priority")),
    KeyAction("monitor_move_queue", "monitor_case", "move_queue", "g", N_("Queue")),
    KeyAction("monitor_take", "monitor_case", "take", "c", N_("Take")),
    KeyAction("monitor_reload", "monitor_case", "reload", "r", N_("Reload")),
    KeyAction("reason_cancel", "reason", "cancel", "escape", N_("Cancel")),
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
    raise KeyMapError(_("unknown key action {name}; known: {known}").format(
            name=repr(name), known=", ".join(a.name for a in ACTIONS)))


def normalise_key(key: str) -> str:
    """``?`` -> ``question_mark`` etc.; several keys are separated by commas."""
    parts = []
    for raw in str(key).split(","):
        raw = raw.strip() if raw.strip() else raw
        if not raw:
            continue
        name = _KEY_NAMES.get(raw, raw)
        if not _KEY_PATTERN.match(name):
            raise KeyMapError(_("key {key} is not a key name Textual understands (e.g. 'c', 'ctrl+s', 'f5')").format(
                key=repr(raw)))
        parts.append(name)
    if not parts:
        raise KeyMapError(_("empty key {key}").format(key=repr(key)))
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
