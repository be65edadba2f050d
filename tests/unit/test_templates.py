"""Canned-response templates: placeholders from the case, dates in the customer's language, the sandbox."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from agent_console.domain import templates
from agent_console.domain.canned import CannedResponses
from agent_console.domain.cases import CaseService
from agent_console.domain.canned import expand_shortcut
from agent_console.domain.templates import format_date, render, render_for_case
from agent_console.store.models import CannedResponse


@pytest.fixture
def case(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    return service.create_case(customer="max@example.org", customer_name="Max Peter Mustermann", channel="email",
                               queue="billing", subject="Rechnung doppelt", body="Hallo", language="de")


def test_placeholders_are_filled_from_the_case(store, clock, agents, case):
    body = ("Hallo {{ customer.first_name }} {{ customer.last_name }} ({{ customer.name }}, {{ customer.email }}), "
            "{{ case.key }} {{ case.subject }} {{ case.channel }} {{ case.queue }} – {{ agent.name }}, {{ today }}")
    result = render_for_case(store, case.id, agents["anna"], clock, body)
    assert result.ok
    assert result.text == ("Hallo Max Peter Mustermann (Max Peter Mustermann, max@example.org), "
                           f"{case.key} Rechnung doppelt email billing – Anna Agent, 23. November 2026")


def test_dates_in_the_customers_language():
    assert format_date(date(2026, 11, 23), "de") == "23. November 2026"
    assert format_date(date(2026, 3, 1), "de") == "1. März 2026"
    assert format_date(date(2026, 11, 23), "en") == "23 November 2026"
    assert format_date(date(2026, 11, 23), "fr") == "23 November 2026"


def test_unknown_placeholders_are_visible_markers(store, clock, agents, case):
    result = render_for_case(store, case.id, agents["anna"], clock,
                             "Hi {{ customer.shoe_size }} {{ foo }} {{ foo.bar }} {{ customer.first_name }}")
    assert result.text == "Hi ⟦unknown: customer.shoe_size⟧ ⟦unknown: foo⟧ ⟦unknown: foo.bar⟧ Max Peter"
    assert result.unknown == ["customer.shoe_size", "foo", "foo.bar"]
    assert not result.ok


def test_without_a_case_case_placeholders_are_marked(store, clock, agents):
    result = render_for_case(store, None, agents["anna"], clock, "{{ case.key }} by {{ agent.name }}")
    assert result.text == "⟦unknown: case.key⟧ by Anna Agent"


HOSTILE_TEMPLATES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ config }}{{ request }}",
    "{% for i in range(10**9) %}x{% endfor %}",
    "{% for i in 'x' * 100000 %}{% for j in 'y' * 1000 %}{% endfor %}{% endfor %}",
    "{{ 10**10**10 }}",
    "{{ 'x' * 10**9 }}",
    "{{ 'ab' + 'c' * 19999 }}",
    "{% set a = 'xx' %}{% set a = a ~ a %}{{ a }}",
    "{% include '/etc/passwd' %}",
    "{% extends '/etc/passwd' %}",
    "{% import 'x' as y %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ customer.__class__ }}",
    "{{ customer.clear() }}{{ customer.update({'name': 'x'}) }}",
    "{{ customer.first_name|attr('__class__') }}",
    "{{ 'x'|center(1000000000) }}",
    "{{ 'x'|wordwrap(5)|replace('x', 'xxxxxxxxxx') }}",
    "{% raw %}",
    "{{ unclosed",
    "{% if %}",
    "{{ 1/0 }}",
    "{{ [].pop() }}",
    "{{ customer['__class__'] }}",
    "x" * 30_000,
]


@pytest.mark.parametrize("body", HOSTILE_TEMPLATES)
def test_hostile_templates_are_safe(store, clock, agents, case, body):
    result = render_for_case(store, case.id, agents["anna"], clock, body)
    assert len(result.text) <= templates.MAX_OUTPUT_CHARS
    assert "root:" not in result.text and "uid=" not in result.text
    assert "<class" not in result.text and "function" not in result.text and "module" not in result.text
    if "⟦" in result.text:
        assert result.problems or result.unknown


def test_sandbox_errors_become_marker_and_message():
    result = render("{{ ''.__class__.__mro__ }}", {})
    assert "⟦" in result.text
    assert result.problems
    loop = render("{% for i in range(10**9) %}x{% endfor %}", {})
    assert loop.text == "⟦template error: not allowed⟧"
    assert loop.problems == ["loops are not allowed in canned responses"]
    syntax = render("Hello {{ customer.first_name", {})
    assert syntax.text == "⟦template error: cannot render⟧" and "line 1" in syntax.problems[0]


def test_conditions_and_text_filters_work():
    context = {"customer": templates._Namespace("customer", {"first_name": "max"})}
    assert render("{% if customer.first_name %}Hi {{ customer.first_name|capitalize }}{% else %}Hello{% endif %}",
                  context).text == "Hi Max"


def test_escape_sequences_in_case_data_are_stripped(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="x@example.org", customer_name="Evil\x1b]0;pwned\x07 Name", channel="chat",
                               queue="q", subject="s", body="b")
    result = render_for_case(store, case.id, agents["anna"], clock, "{{ customer.first_name }}")
    assert "\x1b" not in result.text


def test_expand_shortcut_renders_and_counts(store, clock, agents, case):
    CannedResponses(store, clock, agents["anna"]).create(
        title="Erstattung", shortcut="refund", language="de",
        body="Hallo {{ customer.first_name }}, die Erstattung für {{ case.key }} ist unterwegs.")
    text = expand_shortcut(store, case.id, agents["anna"], "refund", clock=clock)
    assert text == f"Hallo Max Peter, die Erstattung für {case.key} ist unterwegs."
    assert expand_shortcut(store, case.id, agents["anna"], ";refund", clock=clock) == text
    assert expand_shortcut(store, case.id, agents["anna"], "nope", clock=clock) is None
    with store.session() as session:
        assert session.scalars(select(CannedResponse)).one().usage_count == 2
