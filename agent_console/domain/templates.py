"""Canned-response templates: placeholders filled from the case, rendered in a sandbox.

A template is data written by colleagues (or imported), so it must never reach files, call code, loop for ever or
crash the console. Rendering uses Jinja2's ``ImmutableSandboxedEnvironment`` with an empty set of globals and
filters limited to harmless text ones, a cap on template size and on output length, and a guard that stops runaway
loops. Anything the sandbox refuses or cannot render becomes a visible marker in the text plus a message, never an
exception. An unknown placeholder (``{{ customer.shoe_size }}``) stays in the text as ``⟦unknown: customer.shoe_size⟧``
so the agent sees it before sending.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from agent_console.domain.cases import split_name
from agent_console.domain.text import clean_text
from agent_console.i18n import N_, _

MAX_TEMPLATE_CHARS = 20_000
MAX_OUTPUT_CHARS = 20_000
MAX_LOOP_ITERATIONS = 1_000
#: The markers stay English in every interface language: they are part of the text (which follows the customer),
#: and ``domain.outgoing`` finds them by these words before anything is sent.
UNKNOWN_MARKER = "⟦unknown: {name}⟧"
ERROR_MARKER = "⟦template error: {reason}⟧"
#: Why a template cannot be used, for the agent (the ``problems`` of :class:`Rendered`), worded when it happens.
TOO_LONG_TEMPLATE = N_("the template is longer than {limit} characters")
TOO_LONG_TEXT = N_("the text would be longer than {limit} characters")
POWER_TOO_LARGE = N_("the power is too large")
LOOPS_TOO_LONG = N_("the template loops too long")
NOT_ALLOWED_CONSTRUCT = N_("{constructs} are not allowed in canned responses")
NOT_ALLOWED = N_("not allowed in a template: {error}")
CANNOT_RENDER = N_("the template cannot be rendered: {error}")
CANNOT_RENDER_AT = N_("the template cannot be rendered (line {line}): {error}")
UNKNOWN_PLACEHOLDER = N_("unknown placeholder: {name}")
SYNTAX_ERROR = N_("line {line}: {error}")

MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

#: The placeholder groups and their fields: the one list :func:`case_context` fills and templates are checked against.
PLACEHOLDER_FIELDS: dict[str, tuple[str, ...]] = {
    "customer": ("first_name", "last_name", "name", "email"),
    "agent": ("name",),
    "case": ("key", "subject", "channel", "queue"),
}
#: Placeholders without a group.
PLAIN_PLACEHOLDERS = ("today",)
#: Placeholders a template may use, for the editor's help line.
PLACEHOLDERS = tuple(f"{group}.{name}" for group, names in PLACEHOLDER_FIELDS.items() for name in names) \
    + PLAIN_PLACEHOLDERS


def format_date(day: date, language: str | None) -> str:
    """'23. November 2026' (de) or '23 November 2026' (en and anything else); no locale settings involved."""
    lang = (language or "en").lower()[:2]
    months = MONTHS.get(lang, MONTHS["en"])
    if lang == "de":
        return f"{day.day}. {months[day.month - 1]} {day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


@dataclass
class Rendered:
    text: str
    #: Placeholders the template used that no case value provides.
    unknown: list[str] = field(default_factory=list)
    #: What went wrong, for the agent (render errors, cut output); empty when all is well.
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.problems


def _build_environment():
    from jinja2 import Undefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class MarkedUndefined(Undefined):
        """Renders as a visible marker naming the missing placeholder; records it for the caller."""

        __slots__ = ()

        def _path(self) -> str:
            name = self._undefined_name or "?"
            obj = self._undefined_obj
            owner = getattr(obj, "_placeholder_name", None) if obj is not None else None
            return f"{owner}.{name}" if owner else str(name)

        def __str__(self) -> str:
            path = self._path()
            _seen_unknown().append(path)
            return UNKNOWN_MARKER.format(name=path)

        def __iter__(self):
            _seen_unknown().append(self._path())
            return iter(())

        def __getattr__(self, name: str):
            if name[:2] == "__":
                raise AttributeError(name)
            return MarkedUndefined(name=f"{self._path()}.{name}")

        __getitem__ = __getattr__

    class GuardedEnvironment(ImmutableSandboxedEnvironment):
        # Intercepted so that neither constant folding at compile time nor rendering can build huge values.
        intercepted_binops = frozenset({"*", "**", "+"})

        def call_binop(self, context, operator, left, right):
            if operator == "**":
                if not isinstance(left, (int, float)) or not isinstance(right, (int, float)) or abs(right) > 64 \
                        or abs(left) > 10**6:
                    raise _TooBig(_(POWER_TOO_LARGE))
                return left ** right
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and \
                            len(seq) * max(times, 0) > MAX_OUTPUT_CHARS:
                        raise _TooBig(_(TOO_LONG_TEXT).format(limit=MAX_OUTPUT_CHARS))
                return left * right
            result = left + right
            if isinstance(result, (str, list, tuple)) and len(result) > MAX_OUTPUT_CHARS:
                raise _TooBig(_(TOO_LONG_TEXT).format(limit=MAX_OUTPUT_CHARS))
            return result

    env = GuardedEnvironment(undefined=MarkedUndefined, autoescape=False, keep_trailing_newline=True,
                             auto_reload=False, cache_size=200)
    env.globals.clear()
    # Text filters whose output is never much longer than their input.
    allowed_filters = {"upper", "lower", "title", "capitalize", "trim", "default", "d", "truncate", "length",
                       "first", "last", "string"}
    for name in list(env.filters):
        if name not in allowed_filters:
            del env.filters[name]
    env.tests = {name: test for name, test in env.tests.items() if name in {"defined", "undefined", "none"}}
    return env


class _TooBig(Exception):
    pass


_environment = None
#: Unknown placeholders met while rendering, per thread (the picker renders in the UI thread, the CLI in its own).
_local = threading.local()


def _seen_unknown() -> list[str]:
    seen = getattr(_local, "unknown", None)
    if seen is None:
        seen = _local.unknown = []
    return seen


def environment():
    global _environment
    if _environment is None:
        _environment = _build_environment()
    return _environment


class _Namespace(dict):
    """A placeholder group (customer, agent, case): attribute access, and it knows its name for markers."""

    def __init__(self, name: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self._placeholder_name = name

    def __getattr__(self, key: str):
        if key in self:
            return self[key]
        raise AttributeError(key)


def _forbidden_construct(tree) -> str | None:
    """Only placeholders, conditions and text filters: no loops, variables, macros or includes, so rendering time
    is bounded by the size of the template."""
    from jinja2 import nodes

    kinds = (
        (nodes.For, N_("loops")), ((nodes.Macro, nodes.CallBlock), N_("macros")),
        ((nodes.Assign, nodes.AssignBlock, nodes.With), N_("variables")),
        ((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block), N_("includes and blocks")),
    )
    for kind, label in kinds:
        if next(tree.find_all(kind), None) is not None:
            return _(label)
    return None


def _bounded_render(template, context: dict) -> str:
    # Stream the output so an endless or huge loop is stopped by length, not by running out of memory.
    pieces: list[str] = []
    total = 0
    chunks = 0
    for chunk in template.generate(context):
        pieces.append(chunk)
        total += len(chunk)
        chunks += 1
        if total > MAX_OUTPUT_CHARS:
            raise _TooBig(_(TOO_LONG_TEXT).format(limit=MAX_OUTPUT_CHARS))
        if chunks > MAX_OUTPUT_CHARS * 4:
            raise _TooBig(_(LOOPS_TOO_LONG))
    return "".join(pieces)


def render(body: str, context: dict[str, Any]) -> Rendered:
    """Render a template body with ``context`` (see :func:`case_context`); never raises. The text follows the
    template (the customer's language); the problems are in the interface language."""
    from jinja2 import TemplateError
    from jinja2.sandbox import SecurityError

    body = body or ""
    if len(body) > MAX_TEMPLATE_CHARS:
        return Rendered(ERROR_MARKER.format(reason="template too long"),
                        problems=[_(TOO_LONG_TEMPLATE).format(limit=MAX_TEMPLATE_CHARS)])
    _local.unknown = []
    try:
        tree = environment().parse(body)
        forbidden = _forbidden_construct(tree)
        if forbidden:
            return Rendered(ERROR_MARKER.format(reason="not allowed"),
                            problems=[_(NOT_ALLOWED_CONSTRUCT).format(constructs=forbidden)])
        template = environment().from_string(tree)
        text = _bounded_render(template, context)
    except SecurityError as exc:
        return Rendered(ERROR_MARKER.format(reason="not allowed"), problems=[_(NOT_ALLOWED).format(error=exc)])
    except _TooBig as exc:
        return Rendered(ERROR_MARKER.format(reason="too big"), problems=[str(exc)])
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        problem = _(CANNOT_RENDER_AT).format(line=line, error=exc) if line else _(CANNOT_RENDER).format(error=exc)
        return Rendered(ERROR_MARKER.format(reason="cannot render"), problems=[problem])
    except (RecursionError, MemoryError, OverflowError, ArithmeticError, TypeError, ValueError, LookupError,
            AttributeError) as exc:
        return Rendered(ERROR_MARKER.format(reason="cannot render"),
                        problems=[_(CANNOT_RENDER).format(error=f"{type(exc).__name__}: {exc}")])
    finally:
        unknown = list(dict.fromkeys(_seen_unknown()))
        _local.unknown = []
    text = clean_text(text)
    problems = [_(UNKNOWN_PLACEHOLDER).format(name=name) for name in unknown]
    return Rendered(text, unknown, problems)


#: Why a template may not be saved; {line} counts from 1. Worded in the interface language when checked.
UNKNOWN_PLACEHOLDER_PROBLEM = N_("line {line}: unknown placeholder {name}")
UNKNOWN_VALUE_PROBLEM = N_("unknown placeholder {name}")
TEMPLATE_REFUSED = N_("template error: {problems}")
KNOWN_PLACEHOLDERS_HINT = N_("known placeholders: {names}")


def _dotted_path(node) -> str | None:
    """``customer.first_name`` for ``customer.first_name`` or ``customer['first_name']``; None when the chain does
    not start at a plain name (``''.upper``)."""
    from jinja2 import nodes

    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts))
        else:
            return None


def _references(node):
    """(dotted path, line) of every placeholder the template reads, also inside conditions that would not render."""
    from jinja2 import nodes

    if isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Name)):
        path = _dotted_path(node)
        if path is not None:
            yield path, node.lineno
            return
    for child in node.iter_child_nodes():
        yield from _references(child)


def _is_known(path: str) -> bool:
    group, _dot, rest = path.partition(".")
    if group in PLAIN_PLACEHOLDERS:
        return True  # today, or a text method of it (today.upper())
    return group in PLACEHOLDER_FIELDS and rest.partition(".")[0] in PLACEHOLDER_FIELDS[group]


def _sample_context() -> dict[str, Any]:
    context: dict[str, Any] = {group: _group(group, {name: name for name in names})
                               for group, names in PLACEHOLDER_FIELDS.items()}
    context.update({name: name for name in PLAIN_PLACEHOLDERS})
    return context


def template_problems(body: str) -> list[str]:
    """Why ``body`` may not be saved as a canned response: it does not compile or render in the sandbox, or it
    names a placeholder no case provides. Empty when it is fine."""
    from jinja2 import TemplateSyntaxError

    body = body or ""
    try:
        tree = environment().parse(body) if len(body) <= MAX_TEMPLATE_CHARS else None
    except TemplateSyntaxError as exc:
        return [_(SYNTAX_ERROR).format(line=exc.lineno, error=exc.message)]
    forbidden = _forbidden_construct(tree) if tree is not None else None
    if forbidden:
        return [_(NOT_ALLOWED_CONSTRUCT).format(constructs=forbidden)]
    problems: list[str] = []
    unknown_seen: set[str] = set()
    if tree is not None:
        for path, line in _references(tree):
            if not _is_known(path) and path not in unknown_seen:
                unknown_seen.add(path)
                problems.append(_(UNKNOWN_PLACEHOLDER_PROBLEM).format(line=line, name=path))
    # Rendering with a value for every placeholder finds what only shows at render time (a division by zero,
    # output too long, a forbidden construct) and unknown attributes of a value (customer.name.nickname).
    rendered = render(body, _sample_context())
    unknown_problems = {_(UNKNOWN_PLACEHOLDER).format(name=name) for name in rendered.unknown}
    problems += [p for p in rendered.problems if p not in unknown_problems]
    problems += [_(UNKNOWN_VALUE_PROBLEM).format(name=name) for name in rendered.unknown if name not in unknown_seen]
    if unknown_seen or rendered.unknown:
        problems.append(_(KNOWN_PLACEHOLDERS_HINT).format(names=", ".join(PLACEHOLDERS)))

    return problems


def _group(group: str, values: dict[str, Any] | None) -> _Namespace:
    """A placeholder group holding exactly its fields from :data:`PLACEHOLDER_FIELDS` (none without a value source,
    so they render as unknown markers)."""
    if values is None:
        return _Namespace(group, {})
    return _Namespace(group, {name: values[name] for name in PLACEHOLDER_FIELDS[group]})


def case_context(session, case_id: int | None, agent, today: date | datetime) -> dict[str, Any]:
    """The placeholder values for a case (customer, agent, case, today) read in ``session``."""
    from agent_console.store.models import Case, Customer

    case = session.get(Case, case_id) if case_id is not None else None
    customer = session.get(Customer, case.customer_id) if case is not None else None
    language = (case.language if case is not None else None) or (customer.language if customer else None) or "en"
    first, last = split_name(customer.name) if customer is not None else ("", "")
    day = today.date() if isinstance(today, datetime) else today
    return {
        "agent": _group("agent", {"name": agent.name if agent is not None else ""}),
        "today": format_date(day, language),
        "customer": _group("customer", None if customer is None else {
            "first_name": first, "last_name": last, "name": customer.name, "email": customer.email or ""}),
        "case": _group("case", None if case is None else {
            "key": case.key, "subject": case.subject, "channel": case.channel, "queue": case.queue}),
    }


def render_for_case(store, case_id: int | None, agent, clock, body: str) -> Rendered:
    """Render ``body`` with the placeholders of ``case_id`` (in the agent's view: today's date by ``clock``)."""
    with store.session() as session:
        context = case_context(session, case_id, agent, clock.now())
    return render(body, context)
