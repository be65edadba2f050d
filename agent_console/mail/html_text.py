"""HTML mail as readable plain text: paragraphs and line breaks kept, lists bulleted, links shown with their
address, scripts, styles and comments dropped, entities decoded. Built on the standard library's ``html.parser``,
which never raises on malformed markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Elements whose content is never text for a reader.
_SKIPPED = {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg", "xml"}
_BLOCKS = {"p", "div", "section", "article", "header", "footer", "blockquote", "table", "tr", "ul", "ol", "h1", "h2",
           "h3", "h4", "h5", "h6", "pre", "address", "hr", "form", "center"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.preformatted = 0
        self.link: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED:
            if tag not in _VOID:
                self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n" if tag in ("p", "blockquote", "table", "ul", "ol") or tag.startswith("h") else "\n")
            if tag == "pre":
                self.preformatted += 1
        elif tag == "a":
            self.link = dict(attrs).get("href") or None
            self.link_text = []
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "pre":
                self.preformatted = max(0, self.preformatted - 1)
        elif tag == "a" and self.link is not None:
            shown = "".join(self.link_text).strip()
            href = self.link
            self.link = None
            if href.startswith(("http://", "https://")) and href != shown and href.rstrip("/") != shown.rstrip("/"):
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.preformatted:
            data = _SPACES.sub(" ", data.replace("\r", " ").replace("\n", " "))
        self.parts.append(data)
        if self.link is not None:
            self.link_text.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML document or fragment (no tags, no script or style content)."""
    collector = _TextCollector()
    collector.feed(markup or "")
    collector.close()
    lines = [line.strip(" ") for line in "".join(collector.parts).split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
