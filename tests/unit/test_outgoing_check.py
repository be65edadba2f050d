"""The last look at a reply or note before it is sent: leftover placeholders, template errors, template syntax."""

from __future__ import annotations

import pytest

from agent_console.domain.outgoing import (
    TEMPLATE_ERROR, TEMPLATE_SYNTAX, UNKNOWN_PLACEHOLDER, check_outgoing, refusal,
)
from agent_console.domain.templates import render


def test_clean_text_passes():
    assert check_outgoing("Hallo Karl,\n\nIhre Erstattung ist unterwegs. {curly} 50% {nicht} [b]x[/b]") == []
    assert check_outgoing("") == []


def test_an_unresolved_placeholder_is_named_with_line_and_column():
    text = "Hallo Karl,\nliebe ⟦unknown: customer.nickname⟧, bis bald."
    [problem] = check_outgoing(text)
    assert (problem.kind, problem.detail, problem.line, problem.column) == (
        UNKNOWN_PLACEHOLDER, "customer.nickname", 2, 7)
    assert problem.snippet == "⟦unknown: customer.nickname⟧"
    assert text[problem.offset:].startswith("⟦unknown")
    assert problem.describe() == ("line 2, column 7: the placeholder customer.nickname has no value: "
                                  "⟦unknown: customer.nickname⟧")


def test_the_renderers_own_markers_are_found():
    unknown = render("Hi {{ customer.nickname }}", {}).text
    error = render("{{ 1/0 }}", {}).text
    assert [p.kind for p in check_outgoing(unknown)] == [UNKNOWN_PLACEHOLDER]
    assert [p.kind for p in check_outgoing(error)] == [TEMPLATE_ERROR]
    assert check_outgoing(error)[0].detail == "cannot render"


@pytest.mark.parametrize("syntax, column", [
    ("{{ customer.name }}", 7), ("{% if x %}", 7), ("{# comment #}", 7), ("{{customer.name", 7),
])
def test_literal_template_syntax_is_refused(syntax, column):
    [problem] = check_outgoing(f"Hallo {syntax}\nzweite Zeile")
    assert (problem.kind, problem.line, problem.column, problem.snippet) == (TEMPLATE_SYNTAX, 1, column, syntax)


def test_every_problem_in_reading_order_and_the_refusal_counts_the_rest():
    text = "{{ a }} x\n⟦template error: too big⟧\ny ⟦unknown: case.foo⟧ {% endif %}"
    problems = check_outgoing(text)
    assert [(p.kind, p.line, p.column) for p in problems] == [
        (TEMPLATE_SYNTAX, 1, 1), (TEMPLATE_ERROR, 2, 1), (UNKNOWN_PLACEHOLDER, 3, 3), (TEMPLATE_SYNTAX, 3, 23)]
    assert refusal(problems) == ("line 1, column 1: template syntax would reach the customer: {{ a }} "
                                 "(and 3 more)")
    assert refusal(problems[1:2]) == "line 2, column 1: a template error is still in the text: " \
                                     "⟦template error: too big⟧"


def test_a_long_snippet_is_cut_for_the_message():
    problem = check_outgoing("{{ " + "x" * 200 + " }}")[0]
    assert len(problem.snippet) == 206
    assert problem.describe().endswith("…") and len(problem.describe()) < 140
