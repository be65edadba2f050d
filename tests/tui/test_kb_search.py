"""The knowledge-base screen: results as you type, open, insert link/excerpt, link to case, helpful, replies tab."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import Input, Markdown, OptionList, Static, TabbedContent, TextArea

from agent_console.domain.cases import CaseService
from agent_console.domain.kb import KnowledgeBase
from agent_console.domain.kb_text import Paragraph
from agent_console.screens.kb_search import KBSearchScreen
from agent_console.store.models import CaseArticleLink, KBArticle
from tests.helpers import wait_until_async
from tui_support import Host, settle

ARTICLES = [
    ("rechnung-korrigieren", "de", "rechnung,buchhaltung", "Rechnung korrigieren lassen",
     "## Wann?\n\nIst die **Rechnungsadresse** falsch, erstellt die Buchhaltung eine neue Rechnung.\n\n"
     "## Wie?\n\nBestellnummer notieren und den Fall an die Buchhaltung weiterleiten."),
    ("ruecksendung", "de", "retoure", "Rücksendung eines Artikels",
     "Kunden können Artikel innerhalb von 30 Tagen zurückschicken.\n\nDas Rücksendeetikett steht im Kundenkonto."),
    ("refund-policy", "en", "billing", "Refund policy",
     "Refunds go to the original payment method within five business days. [b]not markup[/b]"),
    ("passwort", "de", "konto", "Passwort zurücksetzen", "Über 'Passwort vergessen' kommt eine E-Mail."),
]




@pytest.fixture
def kb_case(store, clock, agents):
    kb = KnowledgeBase(store, clock, agents["anna"])
    for slug, language, tags, title, body in ARTICLES:
        kb.create(slug=slug, title=title, body=body, language=language, tags=tags)
    anna = CaseService(store, clock, agents["anna"])
    # An earlier, resolved case answered by anna, and an open one whose reply must not show up.
    old = anna.create_case(customer="old@example.de", customer_name="Otto Alt", channel="email", queue="Billing",
                           subject="Rechnung falsch adressiert", body="Adresse falsch", language="de")
    anna.reply(old.key, "Wir haben die Rechnung mit der richtigen Adresse neu erstellt und per E-Mail geschickt.")
    anna.note(old.key, "intern: Rechnung manuell korrigiert")
    anna.resolve(old.key)
    still_open = anna.create_case(customer="open@example.de", channel="email", queue="Billing",
                                  subject="Rechnung?", body="?", language="de")
    anna.reply(still_open.key, "Die Rechnung prüfen wir noch.")
    case = anna.create_case(customer="karl@example.de", customer_name="Karl Kunde", channel="email",
                            queue="Billing", subject="Falsche Rechnungsadresse", body="Bitte korrigieren",
                            language="de")
    return case


PUBLIC_URL = "https://help.example.com/kb/{slug}"


def host(store, clock, agents, case_id, public_url: str = PUBLIC_URL):
    return Host(lambda: KBSearchScreen(store=store, clock=clock, agent=agents["anna"], case_id=case_id,
                                       public_url=public_url))


async def type_query(pilot, text: str, selector: str = "#kb-query") -> None:
    pilot.app.screen.query_one(selector, Input).value = ""
    await pilot.press(*text)
    await settle(pilot)


def titles(screen) -> list[str]:
    return [hit.title for hit in screen.hits]


async def test_results_update_as_you_type_with_typo_tolerance(store, clock, agents, kb_case):
    app = host(store, clock, agents, None)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "Type to search" in str(screen.query_one("#kb-status", Static).render())
        await type_query(pilot, "Rechn")  # prefix while typing
        assert titles(screen)[0] == "Rechnung korrigieren lassen"
        await type_query(pilot, "Rechnugn korrigieren")  # misspelled
        assert titles(screen)[0] == "Rechnung korrigieren lassen"
        assert "typo-tolerant" in str(screen.query_one("#kb-status", Static).render())
        await type_query(pilot, "Rücksendungen")
        assert titles(screen) == ["Rücksendung eines Artikels"]


async def test_language_filter_defaults_to_the_case_language(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "refund")
        assert titles(app.screen) == []  # the case is German
        await pilot.press("ctrl+l")  # de -> en
        await settle(pilot)
        assert titles(app.screen) == ["Refund policy"]


async def test_snippet_is_highlighted_and_literal(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await type_query(pilot, "refunds")
        options = app.screen.query_one("#kb-results", OptionList)
        prompt = options.get_option_at_index(0).prompt
        assert "[b]not markup[/b]" in prompt.plain
        styled = {prompt.plain[span.start:span.end] for span in prompt.spans if "yellow" in str(span.style)}
        assert {"Refund", "Refunds"} <= styled


async def test_open_article_renders_markdown_and_insert_excerpt(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "Rechnugn")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert screen.focused.id == "kb-article-scroll"
        markdown = screen.query_one("#kb-article", Markdown)
        assert "Rechnungsadresse" in markdown.source and markdown.query("MarkdownH2")
        await pilot.press("f4")
        await settle(pilot)
    # Without a selection: the paragraph with the first matched word, as plain text, to stand as its own paragraph.
    assert app.results == ["Ist die Rechnungsadresse falsch, erstellt die Buchhaltung eine neue Rechnung."]
    assert isinstance(app.results[0], Paragraph)


async def test_select_excerpt_and_insert_it(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "Rücksendung")
        await pilot.press("f7")
        await settle(pilot)
        excerpt = app.screen.query_one("#kb-excerpt", TextArea)
        assert app.screen.focused is excerpt
        await pilot.press(*["shift+right"] * 6)
        await pilot.press("f4")
        await settle(pilot)
    assert app.results == ["Kunden"]


async def test_insert_link_inserts_the_public_url(store, clock, agents, kb_case):
    KnowledgeBase(store, clock, agents["anna"]).create(slug="passwort.hilfe_2", title="Passwort Hilfe", body="x",
                                                       language="de")
    app = host(store, clock, agents, kb_case.id, public_url="https://help.example.com/kb/{slug}?src=agent")
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "Passwort zurücksetzen")
        await pilot.press("f3")
        await settle(pilot)
    assert app.results == ["https://help.example.com/kb/passwort?src=agent"]


async def test_insert_link_without_the_setting_refuses_and_names_it(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id, public_url="")
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "Passwort")
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, KBSearchScreen)  # nothing inserted, the agent stays in the KB
        messages = [str(n.message) for n in app._notifications]
    assert app.results == []
    assert any("kb_public_url" in message and "AGENT_CONSOLE_KB_PUBLIC_URL" in message for message in messages)


async def test_opened_from_a_case_it_searches_for_what_the_customer_wrote(store, clock, agents, kb_case):
    anna = CaseService(store, clock, agents["anna"])
    case = anna.create_case(customer="rita@example.de", customer_name="Rita Rück", channel="email", queue="Billing",
                            subject="Rücksendung 4711", body="Hallo,\n\nwie lange dauert es?\n\nGruß Rita",
                            language="de")
    anna.add_inbound(case.key, "Hallo,\n\nich habe den Artikel zurückgeschickt, wo bleibt das "
                          "Rücksendeetikett für Bestellung 4711?\n\nViele Grüße\nRita Rück")
    app = host(store, clock, agents, case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        query = screen.query_one("#kb-query", Input).value
        assert query.startswith("Rücksendung ") and "Rücksendeetikett" in query
        assert "4711" not in query and "Hallo" not in query and "Rita" not in query  # numbers, greeting, signature
        assert titles(screen)[0] == "Rücksendung eines Artikels"
        ids = [hit.id for hit in screen.hits]
        assert len(ids) == len(set(ids))
        await pilot.press(*"Passwort")  # the pre-filled search is selected: typing replaces it
        await settle(pilot)
        assert screen.query_one("#kb-query", Input).value == "Passwort"
        assert titles(screen) == ["Passwort zurücksetzen"]


async def test_link_to_case_and_mark_helpful(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "Rechnung")
        await pilot.press("f5", "f5", "f6")
        await settle(pilot)
        assert "▲1" in str(app.screen.query_one("#kb-article-title", Static).render())
        await pilot.press("escape")  # leaves the query … and closes the screen
        await settle(pilot)
    assert app.results == [None]
    with store.session() as session:
        links = session.scalars(select(CaseArticleLink)).all()
        article = session.scalar(select(KBArticle).where(KBArticle.slug == "rechnung-korrigieren"))
    assert [(link.case_id, link.article_id) for link in links] == [(kb_case.id, article.id)]
    assert article.helpful_votes == 1


async def test_answered_before_tab_searches_resolved_replies_only(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "Rechnung")
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#kb-tabs", TabbedContent).active == "tab-replies"
        assert screen.focused.id == "reply-query"
        assert [hit.subject for hit in screen.replies] == ["Rechnung falsch adressiert"]  # not the open case
        assert "richtigen Adresse" in screen.query_one("#reply-text", TextArea).text
        await type_query(pilot, "Rechnungen neu erstelt", "#reply-query")  # stemmed + misspelled
        assert [hit.subject for hit in screen.replies] == ["Rechnung falsch adressiert"]
        await pilot.press("f4")
        await settle(pilot)
    assert app.results == ["Wir haben die Rechnung mit der richtigen Adresse neu erstellt und per E-Mail geschickt."]


async def test_internal_notes_are_never_found(store, clock, agents, kb_case):
    app = host(store, clock, agents, kb_case.id)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await type_query(pilot, "manuell", "#reply-query")
        assert app.screen.replies == []


def test_kb_screen_snapshot(snap_compare, store, clock, agents, kb_case):
    async def run_before(pilot):
        await settle(pilot)
        await type_query(pilot, "Rechnugn")

    assert snap_compare(host(store, clock, agents, kb_case.id), terminal_size=(120, 34), run_before=run_before)


async def test_in_a_case_ctrl_k_finds_a_misspelled_article_and_inserts_the_excerpt(store, clock, agents, kb_case,
                                                                                   make_app):
    from agent_console.screens.case_detail import CaseDetailScreen

    app = make_app("anna")
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        app.push_screen(CaseDetailScreen(kb_case.id))
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert isinstance(app.screen, KBSearchScreen)
        await pilot.press(*"Rechnugn")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        editor = app.screen.query_one("#editor").text_area
        assert "Ist die Rechnungsadresse falsch" in editor.text and "**" not in editor.text


async def test_f4_puts_the_excerpt_into_the_draft_as_its_own_paragraph(store, clock, agents, kb_case, make_app):
    from agent_console.screens.case_detail import CaseDetailScreen

    app = make_app("anna", kb_public_url=PUBLIC_URL)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        app.push_screen(CaseDetailScreen(kb_case.id))
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Hallo Karl,")
        await pilot.press("ctrl+k")
        await settle(pilot)
        await pilot.press(*"Rechnungsadresse")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        editor = app.screen.query_one("#editor").text_area
        assert editor.text == ("Hallo Karl,\n\nIst die Rechnungsadresse falsch, erstellt die Buchhaltung eine neue "
                               "Rechnung.")
        await pilot.press("ctrl+k")
        await settle(pilot)
        await pilot.press(*"Rechnungsadresse")
        await settle(pilot)
        await pilot.press("f3")  # the app's kb_public_url setting
        await settle(pilot)
        assert editor.text.endswith("neue Rechnung.https://help.example.com/kb/rechnung-korrigieren")


def test_kb_opened_from_a_case_snapshot(snap_compare, store, clock, agents, kb_case):
    async def run_before(pilot):
        def shown() -> bool:
            screen = pilot.app.screen
            return bool(screen.hits) and screen.article is not None and \
                "Rechnung korrigieren" in str(screen.query_one("#kb-article-title", Static).render())

        await wait_until_async(shown, message="the case's articles and the first one are shown")
        pilot.app.screen.query_one("#kb-query", Input).cursor_blink = False  # the cursor always drawn: no flakes
        await settle(pilot)

    assert snap_compare(host(store, clock, agents, kb_case.id), terminal_size=(120, 34), run_before=run_before)
