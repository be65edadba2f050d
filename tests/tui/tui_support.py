"""Helpers for the screen tests: fixed data built through CaseService, waiting for workers, reading the screen."""

from __future__ import annotations

from dataclasses import dataclass


HOSTILE_NAME = "[bold red]x[/]"
HOSTILE_SUBJECT = "Refund [link=http://evil]click[/link] now"
HOSTILE_BODY = "hello \x1b[31mRED\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \x1b]0;pwned title\x07 [b]bold?[/b] end"


@dataclass
class Data:
    keys: dict[str, str]


def build_cases(store, clock, agents) -> Data:
    """Cases in different states, all relative to the frozen "now" (09:00 UTC)."""
    from agent_console.domain.cases import CaseService

    system = CaseService(store, clock, None)
    anna = CaseService(store, clock, agents["anna"])
    ben = CaseService(store, clock, agents["ben"])
    now = clock.now()
    from datetime import timedelta

    keys = {}
    # An old e-mail, breached long ago (created 3 days 1 h back).
    keys["email_old"] = system.create_case(
        customer="karl@example.de", channel="email", queue="Billing", subject="Rechnung doppelt belastet",
        body="Ich wurde zweimal belastet.\nBitte prüfen.", customer_name="Karl Kunde", language="de",
        created_at=now - timedelta(days=3, hours=1)).key
    # A phone call 80 s ago: first response due in 10 s -> at risk.
    keys["phone_risk"] = system.create_case(
        customer="+49 30 1234567", channel="phone", queue="Technical", subject="Router blinkt rot",
        body="Anruf: Router blinkt rot seit heute früh.", customer_name="Petra Phone", priority="urgent",
        created_at=now - timedelta(seconds=80)).key
    # A chat just now: ok.
    keys["chat_ok"] = system.create_case(
        customer="mia@example.com", channel="chat", queue="Delivery", subject="Where is my parcel?",
        body="Hi, parcel 123 has not arrived.", customer_name="Mia Miller", priority="high",
        created_at=now - timedelta(seconds=10)).key
    # The same customer (Karl) by chat: his history spans channels.
    keys["karl_chat"] = system.create_case(
        customer="karl@example.de", channel="chat", queue="Billing", subject="Noch eine Frage zur Rechnung",
        body="Hallo?", created_at=now - timedelta(minutes=30)).key
    # Claimed by ben and answered.
    keys["ben_case"] = system.create_case(
        customer="olga@example.com", channel="web", queue="General", subject="Password reset",
        body="Cannot log in.", customer_name="Olga Online", created_at=now - timedelta(hours=2)).key
    ben.claim(keys["ben_case"])
    ben.reply(keys["ben_case"], "We sent you a reset link.")
    # Hostile customer text.
    keys["hostile"] = system.create_case(
        customer="evil@example.com", channel="email", queue="Complaints", subject=HOSTILE_SUBJECT,
        body=HOSTILE_BODY, customer_name=HOSTILE_NAME, created_at=now - timedelta(hours=5)).key
    # Anna's own case with an internal note, and a resolved one.
    keys["anna_case"] = system.create_case(
        customer="karl@example.de", channel="phone", queue="Billing", subject="Ratenzahlung",
        body="Kann ich in Raten zahlen?", created_at=now - timedelta(hours=1)).key
    anna.claim(keys["anna_case"])
    anna.reply(keys["anna_case"], "Ja, das geht.")
    anna.note(keys["anna_case"], "Kunde ist zuverlässig, Raten genehmigt.")
    keys["resolved"] = system.create_case(
        customer="mia@example.com", channel="email", queue="Delivery", subject="Wrong colour",
        body="I ordered blue.", created_at=now - timedelta(days=1)).key
    anna.resolve(keys["resolved"])
    return Data(keys=keys)


async def settle(pilot) -> None:
    """Wait until workers are done and the screen has caught up."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def steady_picture(pilot, *, same_in_a_row: int = 3, timeout: float = 15.0) -> None:
    """Wait until what the terminal shows (text and styles) is the same over ``same_in_a_row`` rounds of finished
    workers and refreshes, with every text cursor drawn steadily instead of blinking. Gives up quietly after
    ``timeout`` seconds: the screenshot comparison then says what differs."""
    import asyncio
    import time

    from textual.widgets import Input, TextArea

    app = pilot.app
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while time.monotonic() < deadline:
        for screen in app.screen_stack:
            for editor in screen.query("Input, TextArea"):
                if isinstance(editor, (Input, TextArea)) and editor.cursor_blink:
                    editor.cursor_blink = False
        await app.workers.wait_for_complete()
        await pilot.pause()
        update = app.screen._compositor.render_full_update()
        picture = [tuple((segment.text, segment.style) for strip in line for segment in strip)
                   for line in update.strips]
        same = same + 1 if picture == last else 0
        if same >= same_in_a_row - 1:
            return
        last = picture
        await asyncio.sleep(0.02)


def palette_offers(app, text: str) -> bool:
    """The command palette is open, done searching, and its highlighted entry (what enter runs) names ``text``."""
    from textual.command import CommandList, CommandPalette

    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return False
    if any(w.group == CommandPalette._GATHER_COMMANDS_GROUP and not w.is_finished for w in app.workers):
        return False
    commands = screen.query_one(CommandList)
    if commands.highlighted is None:
        return False
    prompt = commands.get_option_at_index(commands.highlighted).prompt
    return text.lower() in str(getattr(prompt, "plain", prompt)).lower()


def screen_text(app) -> str:
    """What the terminal shows right now, as plain text (one line per row)."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(segment.text for strip in line for segment in strip) for line in update.strips)


def screen_segments(app):
    """Every (text, style) segment of the current screen."""
    update = app.screen._compositor.render_full_update()
    return [segment for line in update.strips for strip in line for segment in strip]


def _screen_host_class():
    from textual.app import App
    from textual.screen import Screen

    from agent_console.screens.bindings import ScreenCommands

    class Host(App):
        """A bare app that opens one screen (given, or made by a factory) and keeps what it was dismissed with."""

        COMMANDS = App.COMMANDS | {ScreenCommands}

        def __init__(self, screen) -> None:
            super().__init__()
            self.make_screen = (lambda: screen) if isinstance(screen, Screen) else screen
            self.results: list = []

        def on_mount(self) -> None:
            self.push_screen(self.make_screen(), self.results.append)

    return Host


Host = _screen_host_class()
