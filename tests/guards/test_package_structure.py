"""The whole ``agent_console`` package (issue #16 point 3): no module over 500 lines (the migrations aside — each is
one revision, read alone) and no import cycle.

The import graph counts every import, also those inside a function or under ``TYPE_CHECKING``
(``tests/import_graph.py``): a cycle that only a late import keeps from failing is still a cycle in the design.
"""

from __future__ import annotations

from tests.import_graph import cycles_through, import_graph, modules

MAX_LINES = 500

def _too_long() -> dict[str, int]:
    return {name: lines for name, path in modules().items()
            if ".migrations." not in name
            and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}


def test_no_module_of_the_package_is_over_500_lines():
    assert _too_long() == {}


def test_no_import_cycle_in_the_package():
    assert cycles_through(import_graph(), ("agent_console",)) == []
