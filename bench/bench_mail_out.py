"""Reply mail latency (issue #19 point 10): from an agent's reply being saved to the SMTP server accepting the mail,
with ``agent-console mail run`` going (a real process on a real store file, aiosmtpd as the SMTP server)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from bench.core import BenchContext, Result, benchmark, summarise

MAIL_FROM = "Bench Support <support@example.com>"


class _Sink:
    def __init__(self) -> None:
        self.accepted: list[float] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.accepted.append(time.perf_counter())
            self.arrived.notify_all()
        return "250 2.0.0 Ok: queued"

    def wait_for(self, count: int, timeout: float = 30.0) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.accepted) >= count, timeout):
                raise RuntimeError(f"the SMTP server got {len(self.accepted)} of {count} mails in {timeout} s")
            return self.accepted[count - 1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@benchmark("mail-out", "Reply to SMTP acceptance with mail run going (target < 2 s)")
def run(ctx: BenchContext):
    from aiosmtpd.controller import Controller

    from agent_console.domain.agents import upsert_agent
    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock
    from agent_console.store.db import open_store

    replies = ctx.size(30, 8)
    path = ctx.workdir / "mail-out.db"
    store, clock = open_store(path), SystemClock()
    agent, _ = upsert_agent(store, clock, login="anna", name="Anna Agent", role="agent", tier=1)
    service = CaseService(store, clock, agent, mail_from=MAIL_FROM)
    case = service.create_case(customer="karl@example.de", channel="email", queue="Billing", subject="Rechnung",
                               body="Zweimal belastet")
    sink, port = _Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "AGENT_CONSOLE_MAIL_FROM": MAIL_FROM, "AGENT_CONSOLE_SMTP_URL": f"smtp://127.0.0.1:{port}",
           "AGENT_CONSOLE_CONFIG": str(ctx.workdir / "no-settings.toml")}
    gateway = subprocess.Popen([sys.executable, "-m", "agent_console", "--db", str(path), "mail", "run"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        service.reply(case.key, "warm-up")  # the gateway is up and has sent once
        sink.wait_for(1)
        samples = []
        for i in range(replies):
            start = time.perf_counter()
            service.reply(case.key, f"Antwort {i}")
            samples.append((sink.wait_for(i + 2) - start) * 1000)
            time.sleep(0.137 * (i % 4))  # replies arrive at any point of the gateway's polling
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(30)
        controller.stop()
        store.dispose()
    median, p99 = summarise(samples)
    yield Result("mail-out: reply saved → SMTP server accepted", median, p99=p99, target=2000, target_on="p99",
                 samples=len(samples), note="mail run polls the outbox every 0.5 s")
