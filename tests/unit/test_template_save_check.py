"""Canned-response templates are checked when they are saved: they compile and render in the sandbox and name only
placeholders a case provides (the one list the renderer fills)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from agent_console.domain.canned import CannedError, CannedResponses
from agent_console.domain.cases import CaseService
from agent_console.domain.templates import PLACEHOLDERS, case_context, template_problems
from agent_console.store.models import CannedResponse
from test_templates import HOSTILE_TEMPLATES


def test_every_known_placeholder_passes_and_is_what_a_case_fills(store, clock, agents):
    body = "\n".join("{{ " + name + " }}" for name in PLACEHOLDERS)
    assert template_problems(body) == []
    assert template_problems("{% if customer.email %}{{ customer.first_name|upper }}{% endif %} "
                             "{{ customer.name.title() }} {{ customer['email'] }} {{ today }}") == []
    case = CaseService(store, clock, agents["anna"]).create_case(
        customer="karl@example.de", customer_name="Karl Kunde", channel="email", queue="Billing", subject="x",
        body="y")
    with store.session() as session:
        context = case_context(session, case.id, agents["anna"], clock.now())
    filled = {f"{group}.{name}" for group, values in context.items() if isinstance(values, dict)
              for name in values} | {name for name, value in context.items() if not isinstance(value, dict)}
    assert filled == set(PLACEHOLDERS)


@pytest.mark.parametrize("body, expected", [
    ("Hallo {{ customer.nickname }}", "line 1: unknown placeholder customer.nickname"),
    ("Hallo\n{% if customer.vip %}VIP{% endif %}", "line 2: unknown placeholder customer.vip"),
    ("{{ nickname }}", "line 1: unknown placeholder nickname"),
    ("{{ customer }}", "line 1: unknown placeholder customer"),
    ("{{ customer.name.nickname }}", "unknown placeholder nickname"),
])
def test_an_unknown_placeholder_is_named_with_its_line_and_the_known_ones_listed(body, expected):
    problems = template_problems(body)
    assert problems[0] == expected
    assert problems[-1].startswith("known placeholders: customer.first_name, ")


@pytest.mark.parametrize("body, expected", [
    ("Hallo\n{{ customer.name ", "line 2: unexpected end of template"),
    ("{% if %}", "line 1: Expected an expression"),
    ("{{ 1/0 }}", "the template cannot be rendered: ZeroDivisionError"),
    ("{{ 'x' * 10**9 }}", "the text would be longer than"),
    ("{% for x in customer %}{% endfor %}", "loops are not allowed"),
    ("{{ customer.name|center(9) }}", "No filter named 'center'"),
])
def test_a_template_that_does_not_compile_or_render_is_refused_with_the_reason(body, expected):
    assert expected in template_problems(body)[0]


@pytest.mark.parametrize("body", [b for b in HOSTILE_TEMPLATES if b != "{% raw %}"])
def test_no_hostile_template_can_be_saved(body):
    assert template_problems(body)


def test_create_and_update_refuse_a_bad_template_and_write_nothing(store, clock, agents):
    service = CannedResponses(store, clock, agents["anna"])
    with pytest.raises(CannedError) as refused:
        service.create(title="Hi", shortcut="hi", body="Hallo {{ customer.nickname }}")
    assert refused.value.field == "body"
    assert str(refused.value).startswith("template error: line 1: unknown placeholder customer.nickname")
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(CannedResponse)) == 0
    service.create(title="Hi", shortcut="hi", body="Hallo {{ customer.first_name }}")
    with pytest.raises(CannedError, match="unexpected end of template"):
        service.update("hi", body="Hallo {{ customer.first_name")
    assert service.get("hi").body == "Hallo {{ customer.first_name }}"
