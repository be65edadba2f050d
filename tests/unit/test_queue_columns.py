"""Which queue columns show at a width: the least important give way so the subject keeps a third of the width."""

import pytest

from agent_console.widgets.case_table import COLUMNS, GAP, layout_columns


@pytest.mark.parametrize("width", [80, 100, 120, 160])
def test_the_subject_keeps_at_least_a_third_of_the_width(width):
    layout = layout_columns(width)
    widths = dict((column.name, cells) for column, cells in layout)
    assert widths["subject"] * 3 >= width
    assert sum(widths.values()) + GAP * (len(layout) - 1) <= width


@pytest.mark.parametrize("width", [80, 100, 120, 160])
def test_columns_give_way_least_important_first(width):
    shown = {column.name for column, _cells in layout_columns(width)}
    hidden = [column for column in COLUMNS if column.name not in shown]
    assert {"key", "priority", "subject", "sla"} <= shown
    if hidden:
        assert max(c.drop_rank for c in COLUMNS if c.name in shown) <= min(c.drop_rank for c in hidden)


def test_what_each_width_shows():
    def names(width):
        return [column.name for column, _cells in layout_columns(width)]

    assert names(80) == ["key", "priority", "customer", "subject", "status", "sla"]
    assert names(100) == ["key", "priority", "customer", "subject", "status", "assignee", "sla"]
    assert names(120) == ["key", "priority", "channel", "queue", "customer", "subject", "status", "assignee", "sla"]
    assert names(160) == [column.name for column in COLUMNS]
