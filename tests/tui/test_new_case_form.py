"""A call comes in: the new-case form from the queue (key N or the palette), driven by keys through Pilot.

Real store file, the fixed data of ``tui_support`` at the frozen clock; the clock is moved by hand while the form is
open, so the handling time the opened case shows is exactly the time since the form opened.
"""

from __future__ import annotations

from sqlalchemy import func, select

from agent_console.screens.case_detail import CaseDetailScreen
from agent_console.screens.new_case import NewCaseModal
from agent_console.screens.queue import QueueScreen
from agent_console.store import queries
from agent_console.store.models import Case, Customer, HandlingSegment, OutboxOp
from tests.conftest import FROZEN_NOW
from tests.helpers import wait_until_async
from tui_support import HOSTILE_NAME, palette_offers, screen_text, settle

SIZE = (110, 40)


async def open_form(pilot) -> NewCaseModal:
    await settle(pilot)
    await pilot.press("N")
    await wait_until_async(lambda: isinstance(pilot.app.screen, NewCaseModal))
    return pilot.app.screen


async def type_lookup(pilot, form: NewCaseModal, text: str) -> None:
    await pilot.press(*text)
    await wait_until_async(lambda: form.results_for == text, message=f"no lookup results for {text!r}")
    await pilot.pause()


def form_error(form: NewCaseModal) -> str:
    return str(form.query_one("#new-case-error").render())


def counts(store) -> tuple[int, ...]:
    with store.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Case, Customer, OutboxOp, HandlingSegment))


async def test_a_call_finds_the_customer_by_phone_digits_and_opens_the_case_claimed_and_timed(
        make_app, data, store, clock, agents):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        # Petra is stored as +49301234567; the agent types the national form of her number.
        await type_lookup(pilot, form, "030 123 4567")
        assert [m.name for m in form.matches] == ["Petra Phone"]
        clock.advance(45)  # the agent talks while filling in the form
        await pilot.press("enter", *"Internet down since noon", "enter")
        await wait_until_async(lambda: isinstance(app.screen, CaseDetailScreen), message="the case did not open")
        await settle(pilot)
        case_id = app.screen.case_id
        assert "Internet down since noon" in screen_text(app)
        assert app.tracker.running_segment.case_id == case_id
        assert app.tracker.running_segment.started_at == FROZEN_NOW
        assert app.tracker.elapsed(case_id) == 45.0
    with store.session() as session:
        case = session.get(Case, case_id)
        customer = session.get(Customer, case.customer_id)
        kinds = [op.kind for op in session.scalars(select(OutboxOp).order_by(OutboxOp.id))
                 if op.kind.startswith("case.")][-2:]
    assert customer.name == "Petra Phone"
    assert (case.assignee_id, case.channel, case.priority, case.status, case.subject) == (
        agents["anna"].id, "phone", "normal", "open", "Internet down since noon")
    assert case.queue == "Billing"  # anna lists no queues: the store's first
    assert kinds == ["case.create", "case.claim"]


async def test_a_new_customer_from_what_was_typed_with_channel_queue_and_priority(make_app, data, store, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_lookup(pilot, form, "eva@example.de")
        assert form.matches == []
        assert "New customer: eva@example.de" in screen_text(app)
        await pilot.press("enter")  # the only choice: a new customer, its e-mail filled in
        assert form.query_one("#new-customer-email").value == "eva@example.de"
        assert app.focused.id == "new-customer-name"
        await pilot.press(*"Eva Early", "enter", "enter", *"+49 171 5550101", "enter")
        assert app.focused.id == "new-case-channel"
        form.query_one("#new-case-channel").value = "onsite"
        form.query_one("#new-case-queue").value = "Delivery"
        form.query_one("#new-case-priority").value = "high"
        await pilot.press("tab", "tab", "tab", *"Parcel damaged", "ctrl+s")
        await wait_until_async(lambda: isinstance(app.screen, CaseDetailScreen), message="the case did not open")
        case_id = app.screen.case_id
    with store.session() as session:
        case = session.get(Case, case_id)
        customer = session.get(Customer, case.customer_id)
    assert (customer.name, customer.email, customer.phone) == ("Eva Early", "eva@example.de", "+491715550101")
    assert (case.channel, case.queue, case.priority, case.subject) == ("onsite", "Delivery", "high", "Parcel damaged")


async def test_validation_messages_name_what_is_missing_and_nothing_is_written(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = counts(store)
        form = await open_form(pilot)
        await pilot.press("ctrl+s")
        assert form_error(form) == "Pick a customer from the list, or create a new one."
        await type_lookup(pilot, form, "nobody here")
        assert "No customer matches 'nobody here'." in screen_text(app)
        await pilot.press("enter")
        assert form.query_one("#new-customer-name").value == "nobody here"
        assert app.focused.id == "new-customer-email"  # the first field still empty
        await pilot.press("ctrl+s")
        assert form_error(form) == "Enter an e-mail address or a phone number for the new customer."
        await pilot.press("shift+tab", *(["backspace"] * 11), "ctrl+s")
        assert form_error(form) == "Enter the new customer's name."
        assert app.focused.id == "new-customer-name"
        await pilot.press(*"Nora Body", "tab", *"nora at home", "ctrl+s")
        assert form_error(form) == "'nora at home' is not an e-mail address (like name@example.com)."
        assert app.focused.id == "new-customer-email"
        form.query_one("#new-customer-email").value = ""
        await pilot.press("tab", *"12ab", "ctrl+s")
        assert "'12ab' is not a phone number" in form_error(form)
        assert app.focused.id == "new-customer-phone"
        form.query_one("#new-customer-phone").value = "030 5550199"
        await pilot.press("ctrl+s")
        assert form_error(form) == "Enter a subject: what the customer needs, in one line."
        assert app.focused.id == "new-case-subject"
        assert isinstance(app.screen, NewCaseModal)
        assert counts(store) == before


async def test_escape_cancels_and_writes_nothing_not_even_handling_time(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = counts(store)
        form = await open_form(pilot)
        await type_lookup(pilot, form, "karl")
        await pilot.press("enter", *"Half a subject", "escape")
        await wait_until_async(lambda: isinstance(app.screen, QueueScreen))
        await settle(pilot)
        assert app.tracker.running_segment is None
        assert app.agent_state == "available"
        assert counts(store) == before


async def test_arrow_keys_move_through_the_results_and_names_show_literally(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await type_lookup(pilot, form, "example")  # every e-mail customer of the data
        names = [m.name for m in form.matches]
        assert HOSTILE_NAME in names and "Karl Kunde" in names
        assert HOSTILE_NAME in screen_text(app)  # markup shown as typed, not applied
        await pilot.press(*(["down"] * names.index("Mia Miller")), "enter")
        assert form.chosen.name == "Mia Miller"
        assert "Customer: Mia Miller" in screen_text(app)


async def test_the_palette_finds_new_case_for_create_and_new(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"create")
        await wait_until_async(lambda: palette_offers(app, "New case"), message="'create' does not offer New case")
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"new")
        await wait_until_async(lambda: palette_offers(app, "New case"), message="'new' does not offer New case")
        await pilot.press("enter")
        await wait_until_async(lambda: isinstance(app.screen, NewCaseModal))


def test_snapshot_of_the_form_with_a_customer_found(snap_compare, make_app, data):
    async def run_before(pilot) -> None:
        form = await open_form(pilot)
        await type_lookup(pilot, form, "+49 30 1234567")
        await pilot.press("enter", *"Router blinkt rot")
        await wait_until_async(lambda: form.query_one("#new-case-subject").value == "Router blinkt rot")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(100, 34), run_before=run_before)


async def test_enter_before_the_lookup_finished_picks_the_first_result_when_it_arrives(make_app, data):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        await pilot.press(*"mia@", "enter")  # faster than the debounced lookup
        assert form.chosen is None
        await wait_until_async(lambda: form.chosen is not None, message="enter was lost")
        assert form.chosen.name == "Mia Miller"
        await wait_until_async(lambda: app.focused.id == "new-case-subject")
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
        assert app.focused.id == "new-case-search"
        await pilot.press("backspace")  # typing again: looking for someone else
        assert form.chosen is None and "Customer: Mia" not in screen_text(app)


async def test_the_queues_offered_are_the_agents_own_and_the_first_is_preset(make_app, data, agents):
    agents["anna"].queues = "Delivery,General"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        queue = form.query_one("#new-case-queue")
        assert [value for _label, value in queue._options] == ["Delivery", "General"]
        assert queue.value == "Delivery"
        assert (form.query_one("#new-case-channel").value, form.query_one("#new-case-priority").value) == (
            "phone", "normal")
