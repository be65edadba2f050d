"""The whole ``agent_console`` package (issue #16 point 3): no module over 500 lines (the migrations aside — each is
one revision, read alone) and no import cycle.

The import graph counts every import, also those inside a function or under ``TYPE_CHECKING``
(``tests/import_graph.py``): a cycle that only a late import keeps from failing is still a cycle in the design.
"""

from __future__ import annotations

from tests.import_graph import cycles_through, import_graph, modules

MAX_LINES = 500

#: Cycles known on the day this guard was written, in parts other changes are reworking that day; the guard fails
#: when a new one appears, and also when one of these is gone (then remove it here, so it cannot come back unnoticed).
KNOWN_CYCLES = [
    # `mail fetch` is registered by `mail`, and borrows `mail`'s helpers (mail work in progress).
    ["agent_console.cli.mail", "agent_console.cli.mail_fetch"],
]


def _too_long() -> dict[str, int]:
    return {name: lines for name, path in modules().items()
            if ".migrations." not in name
            and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}


def test_no_module_of_the_package_is_over_500_lines():
    assert _too_long() == {}


def test_no_new_import_cycle_in_the_package():
    found = cycles_through(import_graph(), ("agent_console",))
    assert [cycle for cycle in found if cycle not in KNOWN_CYCLES] == []


def test_the_known_cycles_are_still_there():
    found = cycles_through(import_graph(), ("agent_console",))
    gone = [cycle for cycle in KNOWN_CYCLES if cycle not in found]
    assert gone == [], "these cycles are gone: remove them from KNOWN_CYCLES"
