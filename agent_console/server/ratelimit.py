"""Failed log-ins, counted per account *and* client address, per address, and per account over many addresses.

Three limits, so that guessing is slow but nobody can lock a victim out from an address of their own choosing:

- an account from one address: ``max_failures`` failures in ``window`` (the usual typo-and-retry limit);
- one address, whatever the accounts: ``address_failures`` in ``window`` (one machine spraying many accounts);
- an account from anywhere: failures from ``account_addresses`` different addresses in ``account_window`` lock the
  account for longer (a spread-out guessing attack); a single attacking address never triggers it.

Counted in the server's database (``login_failures``), so the limits are the same however many worker processes
answer log-ins: with a count per process, each of N workers would allow its own attempts. Each attempt is counted as
a failure *before* its password is checked (and the count taken back when it succeeds): checking a password takes
tens of milliseconds, and a burst of simultaneous guesses must not all pass the check before the first is counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from agent_console.store import login_failures
from agent_console.store.server_db import LOGIN_LOCK_KEY

_ACCOUNT = "acct:"


@dataclass(frozen=True)
class Attempt:
    #: Seconds until another attempt is allowed when this one is refused; None when it may go ahead.
    retry_after: int | None
    #: The rows that count this attempt as a failure until it succeeds.
    failure_ids: tuple[int, ...] = ()
    #: The keys whose failures a success forgives (this account from this address).
    forgiven_keys: tuple[str, ...] = ()


def login_keys(login: str, address: str) -> tuple[str, str, str]:
    """(account from this address, this address, the account's failure from this address for the account limit)."""
    account = login.strip().lower()
    return f"login:{account}|addr:{address}", f"addr:{address}", f"{_ACCOUNT}{account}|addr:{address}"


class LoginLimiter:
    def __init__(self, store, clock, max_failures: int = 5, window_seconds: float = 60.0, *,
                 address_failures: int | None = None, account_addresses: int = 10,
                 account_window_seconds: float = 900.0) -> None:
        self.store = store
        self.clock = clock
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)
        self.address_failures = address_failures or 4 * max_failures
        self.account_addresses = account_addresses
        self.account_window = max(timedelta(seconds=account_window_seconds), self.window)

    def attempt(self, login: str, address: str) -> Attempt:
        """Refuses the attempt while a limit holds; otherwise counts it as a failure under every key at once
        (log-in attempts are serialised, so simultaneous ones see each other)."""
        now = self.clock.now()
        pair, by_address, account = keys = login_keys(login, address)
        account_prefix = account[:account.index("|addr:") + 1]
        with self.store.write_connection(lock_key=LOGIN_LOCK_KEY) as conn:
            # Failures older than their window never count again: the table holds only what can still count.
            login_failures.forget_expired(conn, now - self.window, now - self.account_window, _ACCOUNT)
            rows = login_failures.failures(conn, (pair, by_address), account_prefix)
            wait = self._wait(rows, now, pair, by_address)
            if wait is not None:
                return Attempt(wait)
            ids = login_failures.record_failure(conn, keys, now)
            return Attempt(None, ids, (pair, account))

    def _wait(self, rows, now: datetime, pair: str, by_address: str) -> int | None:
        pair_times = [at for key, at in rows if key == pair]
        address_times = [at for key, at in rows if key == by_address]
        latest_per_address: dict[str, datetime] = {}
        for key, at in rows:
            if key.startswith(_ACCOUNT):
                latest_per_address.setdefault(key, at)  # rows are newest first
        frees_at = [
            _frees_at(pair_times, self.max_failures, self.window),
            _frees_at(address_times, self.address_failures, self.window),
            _frees_at(sorted(latest_per_address.values(), reverse=True), self.account_addresses,
                      self.account_window),
        ]
        wait = max(((at - now).total_seconds() for at in frees_at if at is not None), default=0.0)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the account's failures from this address are forgiven, and this attempt no
        longer counts for the address (the address's earlier failures, and the account's from elsewhere, still
        do)."""
        with self.store.write_connection(lock_key=LOGIN_LOCK_KEY) as conn:
            login_failures.forgive(conn, attempt.forgiven_keys, attempt.failure_ids)


def _frees_at(newest_first: list[datetime], limit: int, window: timedelta) -> datetime | None:
    """When fewer than ``limit`` of the times are left in the window (None: fewer already)."""
    if len(newest_first) < limit:
        return None
    # Under the limit again once the limit-th newest leaves the window.
    return newest_first[limit - 1] + window
