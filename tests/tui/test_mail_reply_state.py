"""A reply on an e-mail case from the case screen is queued as mail; how its mail stands shows on the message, and a
mail that failed for good is also told to the agent in a notification."""

from __future__ import annotations

from sqlalchemy import select, update

from agent_console.store.models import MailOutbox
from tests.helpers import wait_until_async
from tui_support import screen_text, settle

from test_case_screen import SIZE, open_case

MAIL_FROM = "Support <support@example.com>"


async def test_a_reply_is_queued_and_its_failure_is_marked_and_notified(make_app, data, store):
    app = make_app(mail_from=MAIL_FROM)
    key = data.keys["email_old"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, key)
        await pilot.press("r", *"Wir haben die doppelte Buchung storniert.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with store.session() as session:
            [row] = session.scalars(select(MailOutbox)).all()
        assert row.recipient == "karl@example.de" and row.state == "queued"
        await wait_until_async(lambda: "mail queued" in screen_text(app))

        with store.transaction() as session:  # the gateway got a 550 for it
            session.execute(update(MailOutbox).values(
                state="failed", last_error="550 5.1.1 <karl@example.de>: [red]Recipient[/red] rejected"))
        app.check_failed_mail()
        await wait_until_async(lambda: any("was not delivered" in n.message for n in app._notifications))
        [notice] = [n.message for n in app._notifications if "was not delivered" in n.message]
        assert key in notice and "550 5.1.1 <karl@example.de>: [red]Recipient[/red] rejected" in notice
        app.screen.reload()
        await wait_until_async(lambda: "mail failed: 550 5.1.1" in screen_text(app))
        assert "[red]Recipient[/red]" in screen_text(app)


async def test_without_mail_from_a_reply_queues_no_mail(make_app, data, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(app, pilot, data.keys["email_old"])
        await pilot.press("r", *"Antwort")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with store.session() as session:
        assert session.scalars(select(MailOutbox)).all() == []


async def test_a_synced_console_tells_its_agent_of_a_failed_mail_the_server_reported(make_app, data, store):
    """No mail_from here (the team server sends the mail): the failure arrives as the feed's mail row."""
    from agent_console.store.mail_records import mail_row_uid
    from agent_console.store.models import Case, Message, SyncState

    key = data.keys["email_old"]
    with store.transaction() as session:  # this store has pulled from a team server
        session.add(SyncState(key="cursor", value="41"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with store.transaction() as session:  # as the replica writes the feed's mail_delivery row
            case = session.scalars(select(Case).where(Case.key == key)).one()
            message = session.scalars(select(Message).where(Message.case_id == case.id)).first()
            session.add(MailOutbox(uid=mail_row_uid(message.uid), message_id=message.id, case_id=case.id,
                                   recipient="karl@example.de", subject=f"Re: [{key}]",
                                   mail_message_id="<ac.synced@example.com>", state="failed", attempts=1,
                                   last_error="550 5.1.1 no such user", created_at=case.created_at))
        app.check_failed_mail()
        await wait_until_async(lambda: any("was not delivered" in n.message for n in app._notifications))
        [notice] = [n.message for n in app._notifications if "was not delivered" in n.message]
        assert key in notice and "550 5.1.1 no such user" in notice
