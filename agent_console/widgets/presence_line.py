"""The case header's line about colleagues on the same case ("Lena is replying"), from the team server's event stream.

It also tells the app what this agent does on the case (viewing while the case is shown, replying while the reply
editor is open, left when it closes); the app passes that on to the server when the console syncs with one. Without a
server nobody else is ever on the case: the line stays hidden.
"""

from __future__ import annotations

from textual.widgets import Static

from agent_console.domain.presence import ColleagueOnCase
from agent_console.i18n import _
from agent_console.widgets.text import safe_text

#: Seconds between checks for colleagues whose announcement lapsed.
LAPSE_CHECK_S = 5.0


def presence_text(colleagues: list[ColleagueOnCase]) -> str:
    """One line for the case header: "Lena is replying · Ben has this case open" ("" when nobody is there)."""
    return " · ".join((_("{name} is replying") if c.activity == "replying" else _("{name} has this case open"))
                      .format(name=c.name) for c in colleagues)


class PresenceLine(Static):
    DEFAULT_CSS = """
    PresenceLine {
        height: auto;
        width: 1fr;
        color: $warning;
        text-style: bold;
        display: none;
    }
    PresenceLine.-shown {
        display: block;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.case_uid: str | None = None
        self._writing = False

    def on_mount(self) -> None:
        self.set_interval(LAPSE_CHECK_S, self.show_colleagues)

    def on_unmount(self) -> None:
        if self.case_uid is not None:
            self.app.announce_presence(self.case_uid, "left")

    def set_case(self, case_uid: str) -> None:
        if case_uid != self.case_uid:
            if self.case_uid is not None:
                self.app.announce_presence(self.case_uid, "left")
            self.case_uid = case_uid
            self.app.announce_presence(case_uid, "replying" if self._writing else "viewing")
        self.show_colleagues()

    def writing(self, writing: bool) -> None:
        """The agent opened (True) or left (False) the reply editor on this case."""
        self._writing = writing
        if self.case_uid is not None:
            self.app.announce_presence(self.case_uid, "replying" if writing else "viewing")

    def show_colleagues(self) -> None:
        if self.case_uid is None:
            return
        text = presence_text(self.app.colleagues.on_case(self.case_uid, self.app.clock.now()))
        self.update(safe_text(text))  # names come from the server: shown literally
        self.set_class(bool(text), "-shown")
