"""Mail intake (#19 point 10): 10,000 real-world-shaped mails (the test corpus with fresh Message-IDs and senders:
new cases with their acknowledgement, replies, automatic replies, bounces) taken in on a local store and through the
team server's ``POST /api/v1/mail/inbound``; messages per second."""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from bench.core import BenchContext, Result, benchmark

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "mail"
MAIL_FROM = "Support <support@shop.example>"
_MESSAGE_ID = re.compile(rb"^Message-I[Dd]: <[^>]*>", re.MULTILINE)
_FROM = re.compile(rb"^From: .*$", re.MULTILINE)


def make_mails(n: int) -> list[bytes]:
    """``n`` mails cycling through the corpus, each with its own Message-ID, from one of n/3 customers."""
    shapes = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    mails = []
    for number in range(n):
        raw = shapes[number % len(shapes)]
        raw = _MESSAGE_ID.sub(f"Message-ID: <bench-{number}@bench.example>".encode(), raw, count=1)
        if b"multipart/report" not in raw:  # a bounce keeps its mailer-daemon sender
            raw = _FROM.sub(f"From: Customer {number % 3333} <customer{number % 3333}@example.com>".encode(), raw,
                            count=1)
        mails.append(raw)
    return mails


def _options():
    from agent_console.domain.mail_intake import IntakeOptions

    return IntakeOptions(mail_from=MAIL_FROM, queue="General", sender_limit_per_hour=0)


@benchmark("mail", "Mail intake: 10,000 mails into a local store and through the team server (messages/s)")
def run(ctx: BenchContext):
    from agent_console.domain.clock import SystemClock
    from agent_console.domain.mail_intake import ingest
    from agent_console.store.db import open_store
    from agent_console.store.kept_writer import writer_for

    n = ctx.size(10_000, 500)
    mails = make_mails(n)
    store = open_store(ctx.workdir / "mail.db")
    options = _options()
    clock = SystemClock()
    writer = writer_for(store)  # as mail fetch / mail run take a mailbox's mails in
    start = time.perf_counter()
    for raw in mails:
        ingest(writer, clock, raw, options)
    seconds = time.perf_counter() - start
    writer.close()
    store.dispose()
    yield Result(f"mail: ingest {n:,} mails into a local store", n / seconds, unit="msg/s",
                 note=f"{seconds:.1f} s in all, one transaction per mail on one kept connection")
    yield from _through_server(ctx, mails)


def _through_server(ctx: BenchContext, mails: list[bytes]):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from agent_console.sync.client import SyncClient
    from tests.server.conftest import prepare_database, start_server

    tmp = Path(tempfile.mkdtemp(dir=ctx.workdir))
    url = f"sqlite:///{tmp}/server.db"
    tokens = prepare_database(url)
    server = start_server("sqlite", url, tmp, env_extra={
        "AGENT_CONSOLE_MAIL_FROM": MAIL_FROM, "AGENT_CONSOLE_CONFIG": str(tmp / "none.toml"),
        "AGENT_CONSOLE_MAIL_SENDER_LIMIT_PER_HOUR": "0"})
    try:
        with SyncClient(server.base_url, tokens["root"]) as client:
            start = time.perf_counter()
            for raw in mails:
                client.ingest_mail(raw)
            seconds = time.perf_counter() - start
    finally:
        server.stop()
    yield Result(f"mail: ingest {len(mails):,} mails through the server (SQLite)", len(mails) / seconds,
                 unit="msg/s", note=f"{seconds:.1f} s in all, one request per mail as an MTA hands them over")
