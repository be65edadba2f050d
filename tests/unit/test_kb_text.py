"""What the knowledge base puts into a reply: the public link (kb_public_url), the excerpt as plain text in its own
paragraph, and the search it starts with when opened from a case."""

from __future__ import annotations

import pytest

from agent_console.config import SettingsError, load_settings
from agent_console.domain.kb import KnowledgeBase
from agent_console.domain.kb_text import (
    MISSING_PUBLIC_URL, PublicUrlMissing, case_search_query, markdown_to_text, paragraph_insert, public_article_url,
)


# --- the setting --------------------------------------------------------------------------------------------------

def test_kb_public_url_from_the_file_and_the_environment(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('kb_public_url = "https://help.example.com/kb/{slug}"\n', encoding="utf-8")
    assert load_settings(path, environ={}).kb_public_url == "https://help.example.com/kb/{slug}"
    env = {"AGENT_CONSOLE_KB_PUBLIC_URL": "http://intranet.local/help/{slug}.html"}
    assert load_settings(path, environ=env).kb_public_url == "http://intranet.local/help/{slug}.html"
    assert load_settings(tmp_path / "none.toml", environ={}).kb_public_url == ""


@pytest.mark.parametrize("value, reason", [
    ("help.example.com/kb/{slug}", "http:// or https://"),
    ("ftp://help.example.com/kb/{slug}", "http:// or https://"),
    ("https:///kb/{slug}", "http:// or https://"),
    ("https://help.example.com/kb/", "must contain {slug}"),
    ("(kb:{slug})", "http:// or https://"),
])
def test_a_bad_kb_public_url_is_refused_naming_where_it_came_from(tmp_path, value, reason):
    path = tmp_path / "config.toml"
    path.write_text(f'kb_public_url = "{value}"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(path, environ={})
    assert str(path) in str(refused.value) and reason in str(refused.value) and "kb_public_url" in str(refused.value)
    with pytest.raises(SettingsError) as refused:
        load_settings(tmp_path / "none.toml", environ={"AGENT_CONSOLE_KB_PUBLIC_URL": value})
    assert "environment variable AGENT_CONSOLE_KB_PUBLIC_URL" in str(refused.value)


# --- the link -----------------------------------------------------------------------------------------------------

def test_public_url_fills_in_the_quoted_slug():
    assert public_article_url("https://help.example.com/kb/{slug}", "refund-times") == \
        "https://help.example.com/kb/refund-times"
    assert public_article_url("https://h.example/{slug}?lang=de&ref={slug}", "a b/c?d") == \
        "https://h.example/a%20b%2Fc%3Fd?lang=de&ref=a%20b%2Fc%3Fd"


@pytest.mark.parametrize("template", ["", "   ", "help.example.com/{slug}", "https://help.example.com/kb"])
def test_public_url_refuses_without_a_valid_setting(template):
    with pytest.raises(PublicUrlMissing) as refused:
        public_article_url(template, "refund-times")
    assert "kb_public_url" in str(refused.value)
    if not template.strip():
        assert str(refused.value) == MISSING_PUBLIC_URL and "AGENT_CONSOLE_KB_PUBLIC_URL" in MISSING_PUBLIC_URL


# --- the excerpt --------------------------------------------------------------------------------------------------

def test_markdown_to_text_leaves_no_markdown_syntax():
    markdown = (
        "# Refunds\n\nThe refund takes **2 working days** and _then_ `RF-1` is shown.\n"
        "See [the help page](https://help.example.com/x) or <https://example.com>.\n\n"
        "## Steps\n\n* check the return\n* tell the customer\n  * with the reference\n\n"
        "1. first\n2. second\n\n> quoted advice\n\n| Method | Days |\n|---|---|\n| Card | 3–5 |\n\n"
        "```\nraw block\n```\n\n![a diagram](d.png)\n\n---\n\nLast line  \nafter a hard break.")
    assert markdown_to_text(markdown) == (
        "Refunds\n\n"
        "The refund takes 2 working days and then RF-1 is shown.\n"
        "See the help page or https://example.com.\n\n"
        "Steps\n\n"
        "- check the return\n- tell the customer\n  - with the reference\n\n"
        "1. first\n2. second\n\n"
        "quoted advice\n\n"
        "Method – Days\nCard – 3–5\n\n"
        "raw block\n\n"
        "a diagram\n\n"
        "Last line\nafter a hard break.")


def test_markdown_to_text_keeps_untrusted_text_literal_and_clean():
    text = markdown_to_text("Hi [b]there[/b] \x1b[31mred\x1b[0m *and* 1 * 2")
    assert "[b]there[/b]" in text and "\x1b" not in text and "*and*" not in text and "1 * 2" in text


@pytest.mark.parametrize("before, after, inserted", [
    ("", "", "Excerpt."),
    ("Hello Karl,", "", "\n\nExcerpt."),
    ("Hello Karl,\n", "", "\nExcerpt."),
    ("Hello Karl,\n\n", "", "Excerpt."),
    ("Hello Karl,\n\n", "Regards", "Excerpt.\n\n"),
    ("Hello Karl,\n\n", "\nRegards", "Excerpt.\n"),
    ("", "\n\nRegards", "Excerpt."),
])
def test_an_excerpt_stands_as_its_own_paragraph(before, after, inserted):
    assert paragraph_insert(before, after, "\nExcerpt.\n") == inserted


# --- the case's search --------------------------------------------------------------------------------------------

def test_case_search_query_takes_the_subject_and_what_the_customer_asked():
    message = ("Hello,\n\nI sent the headphones back two weeks ago (order 10045) but the money has not reached my "
               "account yet.\n\nRegards,\nKarl Kunde")
    assert case_search_query("Refund for order 10045", message) == \
        "Refund order sent headphones back two weeks money reached account"
    assert case_search_query("Can't log in", "Hi, the reset e-mail never comes. My account is jane@example.com, "
                             "see https://shop.example.com/account\n\nKind regards\nJane Roe") == \
        "log reset mail never comes account see"
    assert case_search_query("Kann mich nicht einloggen", "Guten Tag,\n\nich bekomme keine Mail zum Zurücksetzen."
                             "\n\nMit freundlichen Grüßen\nSiegfried Sommer") == \
        "einloggen bekomme Mail Zurücksetzen"
    assert case_search_query("Help", "Hi!\n\nPlease help") == "Help"
    assert case_search_query(None, None) == ""
    assert len(case_search_query("a b c", " ".join(f"word{chr(97 + i)}x" for i in range(26))).split()) == 12


def test_case_context_reads_the_last_customer_message(store, clock, agents):
    from agent_console.domain.cases import CaseService

    anna = CaseService(store, clock, agents["anna"])
    case = anna.create_case(customer="karl@example.com", channel="email", queue="Billing", subject="Refund 10045",
                            body="First question about the parcel tracking", language="en")
    anna.reply(case.key, "We are looking into the refund status today")
    anna.note(case.key, "internal words never searched for")
    anna.add_inbound(case.key, "The money has still not reached my account")
    context = KnowledgeBase(store, clock, agents["anna"]).case_context(case.id)
    assert (context.key, context.language) == (case.key, "en")
    assert context.query == "Refund money reached account"
    assert KnowledgeBase(store, clock, agents["anna"]).case_context(999_999) is None
