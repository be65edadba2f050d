"""The server's and the sync client's modules form no import cycle and none is over 500 lines (issue #16).

The graph counts every import, at the top of a module or inside a function: a cycle broken only by importing late
is still a cycle in the design.
"""

from __future__ import annotations

from tests.import_graph import cycles_through, import_graph, modules

PACKAGES = ("agent_console.server", "agent_console.sync")
MAX_LINES = 500


def test_no_import_cycle_through_the_server_or_the_sync_client():
    assert cycles_through(import_graph(), PACKAGES) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"agent_console.server.a": {"agent_console.server.b"}, "agent_console.server.b": {"agent_console.server.a"},
             "agent_console.store.c": set()}
    assert cycles_through(graph, PACKAGES) == [["agent_console.server.a", "agent_console.server.b"]]


def test_no_server_or_sync_module_is_over_500_lines():
    too_long = {name: lines for name, path in modules().items() if name.startswith(PACKAGES)
                and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert too_long == {}
