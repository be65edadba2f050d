"""A team server with help-center articles for the help-center and wallboard tests (HTTP and browser)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from tests.server.conftest import LiveServer, prepare_database, start_server

HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(2))'


def seed_articles(db_url: str) -> None:
    from agent_console.server.db import open_server_store
    from agent_console.store.models import KBArticle

    store = open_server_store(db_url)
    try:
        with store.transaction() as session:
            session.add_all([
                KBArticle(slug="ruecksendung", title="Rücksendung eines Artikels", language="de", public=True,
                          queue="Returns", body="So senden Sie einen Artikel zurück:\n\n1. Etikett drucken\n"
                                             "2. Paket abgeben\n\nDie **Erstattung** folgt in 5 Tagen."),
                KBArticle(slug="returns", title="Returning an item", language="en", public=True, queue="Returns",
                          body="How to return an item: print the label and drop off the parcel."),
                KBArticle(slug="hostile", title="Hostile <b>title</b>", language="en", public=True,
                          body=f"Before. {HOSTILE}\n\n<div onclick=alert(3)>raw block</div>"),
                KBArticle(slug="internal-refunds", title="Internal refund override", language="de", public=False,
                          body="Rücksendung ohne Etikett: Kulanz-Code GEHEIM-4711 verwenden."),
            ])
    finally:
        store.dispose()


def start_help_site(tmp: Path, url: str | None = None, backend: str = "sqlite", *extra: str,
                    env_extra: dict | None = None) -> LiveServer:
    """A server over ``url`` (default: a fresh SQLite file) with the test accounts and the articles above; ``extra``
    are more options of ``agent-console server``, ``env_extra`` more variables of its environment."""
    url = url or f"sqlite:///{tmp / 'server.db'}"
    tokens = prepare_database(url)
    seed_articles(url)
    server = start_server(backend, url, tmp, *extra, env_extra=env_extra)
    server.tokens.update(tokens)
    return server


def feedback_rows(db_url: str) -> list[tuple[bool, str]]:
    """(solved, visit) of every recorded "Did this solve your problem?" answer, oldest first."""
    from agent_console.server.db import open_server_store
    from agent_console.store.models import HelpFeedback

    store = open_server_store(db_url)
    try:
        with store.session() as session:
            return [(row.solved, row.visit) for row in session.scalars(select(HelpFeedback).order_by(HelpFeedback.id))]
    finally:
        store.dispose()


def create_token(db_url: str, login: str, *extra: str) -> str:
    """A token made by ``agent-console server tokens create`` (``--wallboard`` for a wallboard token)."""
    done = subprocess.run([sys.executable, "-m", "agent_console", "server", "tokens", "create", login, "--name",
                           "wall", "--db", db_url, *extra], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def add_queues(db_url: str, *names: str) -> None:
    """Queue records on the server (``server queues add``): once there are any, a case may only go to one of them."""
    from agent_console.domain.clock import SystemClock
    from agent_console.domain.queues import add_queue
    from agent_console.server.db import open_server_store

    store = open_server_store(db_url)
    try:
        for name in names:
            add_queue(store, SystemClock(), name)
    finally:
        store.dispose()


def start_contact_site(tmp: Path, url: str | None = None, backend: str = "sqlite", **limits: int) -> LiveServer:
    """The help site with the queues Returns, General and Billing, and the contact form's limits of ``limits``
    (``help_contact_limit_per_hour=…``, ``help_contact_client_limit_per_hour=…``) in the server's environment."""
    url = url or f"sqlite:///{tmp / 'server.db'}"
    tokens = prepare_database(url)
    seed_articles(url)
    add_queues(url, "Returns", "General", "Billing")
    env = {f"AGENT_CONSOLE_{name.upper()}": str(value) for name, value in limits.items()}
    server = start_server(backend, url, tmp, env_extra=env)
    server.tokens.update(tokens)
    return server
