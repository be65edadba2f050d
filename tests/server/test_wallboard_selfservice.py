"""The browser wallboard shows today's self-service rate (#22): the help center's "yes" answers, the deflection by
colour and symbol against the server's ``deflection`` threshold, and the contact forms, live through its event
stream as customers answer and write — against a real server process."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.server.help_site import start_contact_site

#: Warning below 75 %, critical below 60 %.
THRESHOLDS = json.dumps({"default": {"deflection": [0.75, 0.6]}})


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = start_contact_site(tmp_path_factory.mktemp("wallboard-selfservice"), monitor_thresholds=THRESHOLDS,
                                help_contact_client_limit_per_hour=1000)
    yield server
    server.stop()


class Visitor:
    def __init__(self, site) -> None:
        self.browser = httpx.Client(base_url=site.base_url, timeout=30)

    def answer(self, solved: bool) -> None:
        page = self.browser.get("/help/articles/returns")
        visit = re.search(r'name="visit" value="([^"]+)"', page.text).group(1)
        done = self.browser.post("/help/articles/returns/answer", data={"visit": visit,
                                                                        "solved": "yes" if solved else "no"})
        assert done.status_code == 200, done.text

    def write_to_us(self) -> None:
        form = self.browser.get("/help/contact")
        visit = re.search(r'name="visit" value="([^"]+)"', form.text).group(1)
        sent = self.browser.post("/help/contact", data={"visit": visit, "name": "Olga", "email": "olga@example.com",
                                                         "subject": "Retoure", "message": "Hilft nicht.",
                                                         "website": ""})
        assert sent.status_code == 200, sent.text

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.browser.close()


def figure(html: str, name: str) -> tuple[str, str] | None:
    """(classes, text) of the wallboard's large figure ``name``, or None when the page does not show it."""
    found = re.search(rf'<div class="big ?([a-z]*)" data-figure="{name}"><span class="value">(.*?)</span>'
                      rf'<span class="label">', html)
    if found is None:
        return None
    return found.group(1), re.sub(r"<[^>]+>", "", found.group(2))


def figures_events(stream):
    """The ``data`` of each ``event: figures`` the stream sends, as it arrives."""
    event = None
    for line in stream.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "figures":
            yield line.removeprefix("data: ")


def test_the_wallboard_follows_todays_self_service_live(site):
    with httpx.Client(base_url=site.base_url, timeout=60) as wall:
        assert wall.post("/wallboard/login", data={"token": site.token("sue")}).status_code == 303
        page = wall.get("/wallboard")
        assert page.status_code == 200 and figure(page.text, "waiting") is not None
        # Nobody used the help center today yet: nothing about it on the wall.
        assert figure(page.text, "self-service") is None and figure(page.text, "deflection") is None

        with wall.stream("GET", "/wallboard/events") as stream:
            events = figures_events(stream)
            assert figure(next(events), "self-service") is None
            with Visitor(site) as visitor:
                visitor.answer(solved=True)
            html = next(events)
            assert figure(html, "self-service") == ("", "1")
            assert figure(html, "deflection") == ("ok", "●ok 100%")
            assert figure(html, "contact-forms") == ("", "0")

            with Visitor(site) as visitor:
                visitor.answer(solved=False)
                visitor.write_to_us()
            # Every change brings an event; the one after the form shows it.
            html = next(html for html in events if figure(html, "contact-forms") == ("", "1"))
            assert figure(html, "self-service") == ("", "1")
            assert figure(html, "deflection") == ("critical", "✖critical 50%")  # under 60 %: red and ✖

    # The page without JavaScript shows the same.
    with httpx.Client(base_url=site.base_url, timeout=30, headers={"Accept-Language": "de"}) as wall:
        wall.post("/wallboard/login", data={"token": site.token("sue")})
        german = wall.get("/wallboard").text
    assert "Selbsthilfe heute" in german and figure(german, "deflection") == ("critical", "✖kritisch 50\xa0%")
