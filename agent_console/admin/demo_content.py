"""Hand-written texts the demo data is built from: case topics with threads, canned responses and KB articles.

The texts are data files in ``agent_console/admin/data/`` (JSON, shipped with the package): ``catalogue.json``
(products, plans, carriers, cities, symptoms, the demo agents), ``topics.json`` (kinds of request with their
threads), ``threads.json`` (answers shared by queue), ``canned.json`` and ``kb.json``. This module loads them into
the shapes the seeder draws from, once, at import.

Placeholders in ``{braces}`` are filled by the seeder (order numbers, products, amounts, dates, names); canned
response bodies use Jinja placeholders (``{{ customer.first_name }}``) that the console fills when an agent uses them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources


def _load(name: str):
    return json.loads(resources.files("agent_console.admin").joinpath("data", f"{name}.json").read_text("utf-8"))


_CATALOGUE = _load("catalogue")
_THREADS = _load("threads")
_KB = _load("kb")

@dataclass(frozen=True)
class Product:
    """A product customers write about; ``kinds`` say which requests make sense for it (a router is not noisy,
    headphones show no error codes, a mobile plan is never shipped)."""

    key: str
    de: str
    #: German grammatical gender of the name's head noun (m, f, n): "der Drucker", "die Waschmaschine", "das Tablet".
    gender: str
    en: str
    #: A short tag for KB articles.
    tag: str
    kinds: frozenset[str]


PRODUCT_CATALOGUE: list[Product] = [
    Product(p["key"], p["de"], p["gender"], p["en"], p["tag"], frozenset(p["kinds"])) for p in _CATALOGUE["products"]]
PRODUCT_BY_KEY = {p.key: p for p in PRODUCT_CATALOGUE}
PRODUCTS = {"de": [p.de for p in PRODUCT_CATALOGUE], "en": [p.en for p in PRODUCT_CATALOGUE]}
ALL_PRODUCTS = tuple(p.key for p in PRODUCT_CATALOGUE)


def products_with(kind: str) -> tuple[str, ...]:
    return tuple(p.key for p in PRODUCT_CATALOGUE if kind in p.kinds)


#: German article, possessive and pronoun forms by gender, for sentences around a product name.
_GERMAN_FORMS = {
    "m": {"der": "der", "den": "den", "dem": "dem", "mein": "mein", "meinen": "meinen", "ihn": "ihn", "er": "er"},
    "f": {"der": "die", "den": "die", "dem": "der", "mein": "meine", "meinen": "meine", "ihn": "sie", "er": "sie"},
    "n": {"der": "das", "den": "das", "dem": "dem", "mein": "mein", "meinen": "mein", "ihn": "es", "er": "es"},
}


def product_fill(product: Product, language: str) -> dict[str, str]:
    """Placeholders for one product: ``{product}`` (the name) and, in German, ``{der_product}``, ``{den_product}``,
    ``{dem_product}``, ``{mein_product}``, ``{meinen_product}``, ``{ihn}``, ``{er}`` (capitalised variants
    ``{Der_product}``, ``{Mein_product}``, ``{Er}`` start a sentence)."""
    if language != "de":
        return {"product": product.en}
    forms = _GERMAN_FORMS[product.gender]
    fill = {"product": product.de, "ihn": forms["ihn"], "er": forms["er"], "Er": forms["er"].capitalize()}
    for case in ("der", "den", "dem", "mein", "meinen"):
        fill[f"{case}_product"] = f"{forms[case]} {product.de}"
        fill[f"{case.capitalize()}_product"] = f"{forms[case].capitalize()} {product.de}"
    return fill


PLANS: dict[str, list[str]] = _CATALOGUE["plans"]
CARRIERS: list[str] = _CATALOGUE["carriers"]
CITIES: dict[str, list[str]] = _CATALOGUE["cities"]


@dataclass(frozen=True)
class Topic:
    """One kind of request. Every subject, opener, reply and follow-up of a topic fits every other one, so any
    combination the seeder draws reads as one conversation."""

    key: str
    queue: str
    tags: tuple[str, ...]
    #: language -> subject templates
    subjects: dict[str, list[str]]
    #: language -> the customer's first message
    openers: dict[str, list[str]]
    #: language -> the agent's answer
    replies: dict[str, list[str]]
    #: language -> the customer writing again
    followups: dict[str, list[str]] = field(default_factory=dict)
    #: language -> internal notes
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: how often the topic comes up, relative
    weight: int = 10
    #: products the request makes sense for (keys of PRODUCT_CATALOGUE); () when no product is mentioned
    products: tuple[str, ...] = ()
    #: language -> the agent asking the customer for something (the case then waits, pending); default per queue
    pending: dict[str, list[str]] = field(default_factory=dict)


TOPICS: list[Topic] = [
    Topic(t["key"], t["queue"], tuple(t["tags"]), t["subjects"], t["openers"], t["replies"], t.get("followups", {}),
          t.get("notes", {}), t["weight"], tuple(t["products"]), t.get("pending", {}))
    for t in _load("topics")]

_SALUTATIONS = ("Hallo", "Hi", "Hello", "Guten Tag", "Sehr geehrte", "Dear")
#: Placeholders that have a capitalised twin, for a text that now starts with one.
_CAPITALISED = {"der_product", "den_product", "dem_product", "mein_product", "meinen_product", "er"}
_conversational: dict[str, str] = {}


def conversational(template: str) -> str:
    """A letter-style template as said on a call or typed in a chat: without salutation and sign-off, one line."""
    found = _conversational.get(template)
    if found is not None:
        return found
    paragraphs = template.split("\n\n")
    if len(paragraphs) > 1 and paragraphs[0].startswith(_SALUTATIONS) and paragraphs[0].rstrip().endswith(","):
        paragraphs = paragraphs[1:]
    while len(paragraphs) > 1 and ("{customer}" in paragraphs[-1] or "{agent}" in paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    text = " ".join(p.replace("\n", " ") for p in paragraphs).strip()
    if text.startswith("{"):
        name = text[1:text.index("}")]
        if name in _CAPITALISED:
            text = "{" + name.capitalize() + text[len(name) + 1:]
    elif text:
        text = text[0].upper() + text[1:]
    found = _conversational[template] = text or template
    return found


#: Per topic, the canned response (shortcut; ``-de`` for German) and the KB article (slug; ``-de`` for German) that
#: answer it: what an agent inserts with ctrl+t and finds with ctrl+k for such a case.
ANSWERS: dict[str, tuple[str, str]] = {topic: tuple(pair) for topic, pair in _THREADS["answers"].items()}


def localised(name: str, language: str) -> str:
    """The shortcut or slug of the German twin (``refund`` -> ``refund-de``)."""
    return f"{name}-de" if language == "de" else name


#: The agent's second answer, after the customer wrote again, by queue: it moves the case on instead of repeating
#: the first reply.
SECOND_REPLIES: dict[str, dict[str, list[str]]] = _THREADS["second_replies"]
THANKS: dict[str, list[str]] = _THREADS["thanks"]
#: The agent asking the customer for something, by queue (a topic may have its own).
PENDING_ASK: dict[str, dict[str, list[str]]] = _THREADS["pending_ask"]
CLOSING: dict[str, list[str]] = _THREADS["closing"]
GENERIC_NOTES: dict[str, list[str]] = _THREADS["generic_notes"]
ESCALATION_REASONS: dict[str, list[str]] = _THREADS["escalation_reasons"]
RESOLVED_NOTES: dict[str, dict[str, str]] = _THREADS["resolved_notes"]

#: Canned responses: (shortcut, language, category, title, body).
CANNED: list[tuple[str, str, str, str, str]] = [
    (c["shortcut"], c["language"], c["category"], c["title"], c["body"]) for c in _load("canned")]


def _without_placeholders(template: str) -> str:
    import string

    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(literal)
        if name:
            parts.append("…")
    return "".join(parts).strip()


def _with_customer_phrasing(articles: list[tuple[str, str, str, str, str]]) -> list[tuple[str, str, str, str, str]]:
    """Each article lists how customers put the requests it answers (the subjects of those requests), so an agent
    who searches with the customer's own words finds it."""
    phrasing: dict[tuple[str, str], list[str]] = {}
    for topic in TOPICS:
        article = ANSWERS[topic.key][1]
        for language in ("de", "en"):
            lines = phrasing.setdefault((localised(article, language), language), [])
            lines += [_without_placeholders(subject) for subject in topic.subjects[language]]
    result = []
    for slug, language, tags, title, body in articles:
        lines = phrasing.get((slug, language))
        if lines:
            heading = "## So schreiben Kunden" if language == "de" else "## How customers put it"
            quote = "„{}“" if language == "de" else "\"{}\""
            body = f"{body}\n\n{heading}\n\n" + "\n".join(f"- {quote.format(line)}" for line in lines)
        result.append((slug, language, tags, title, body))
    return result


#: KB articles: (slug, language, tags, title, body), each with how customers put the requests it answers.
KB_BASE: list[tuple[str, str, str, str, str]] = _with_customer_phrasing(
    [(a["slug"], a["language"], a["tags"], a["title"], a["body"]) for a in _KB["articles"]])

#: For generated variants: language -> (title template, tags, intro, steps); product placeholders as in
#: ``product_fill``, ``{symptom}`` from SYMPTOMS.
KB_VARIANTS: dict[str, list[tuple[str, str, str, list[str]]]] = {
    language: [(v["title"], v["tags"], v["intro"], v["steps"]) for v in variants]
    for language, variants in _KB["variants"].items()}
#: Symptoms for troubleshooting articles: (product kinds it fits, any of; empty: every product), text by language.
SYMPTOMS: list[tuple[frozenset[str], dict[str, str]]] = [
    (frozenset(s["kinds"]), s["text"]) for s in _CATALOGUE["symptoms"]]

#: Agents of the demo store: (login, name, role, tier, queues, skills)
DEMO_AGENTS: list[tuple[str, str, str, int, str, str]] = [
    (a["login"], a["name"], a["role"], a["tier"], a["queues"], a["skills"]) for a in _CATALOGUE["agents"]]
