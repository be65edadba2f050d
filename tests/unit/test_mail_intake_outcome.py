"""One mapping of the intake's failures serves ``mail ingest`` (exit status for the MTA) and ``mail fetch`` /
``mail run``'s mailbox (the folder a mail goes to)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from agent_console.cli.mail_fetch import delivery_of
from agent_console.domain.mail_intake import IntakeSetupError, MailRefused
from agent_console.domain.mail_intake_outcome import EX_DATAERR, EX_OK, EX_TEMPFAIL, failure_outcome
from agent_console.mail.imap_fetch import Delivery
from agent_console.store.db import StoreError
from agent_console.store.errors import explain


def test_a_refused_mail_is_refused_for_good_and_says_why():
    outcome = failure_outcome(MailRefused("mail from our own address"), explain)
    assert (outcome.status, outcome.error) == (EX_DATAERR, "mail refused: mail from our own address")
    assert delivery_of(outcome.status) is Delivery.REFUSED


@pytest.mark.parametrize("failure", [IntakeSetupError("queue 'Mail' cannot be used"), StoreError("not migrated"),
                                     OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))])
def test_a_gateway_set_up_wrongly_or_a_store_that_cannot_be_used_means_try_again(failure):
    outcome = failure_outcome(failure, explain)
    assert outcome.status == EX_TEMPFAIL and outcome.error and "INSERT" not in outcome.error
    assert delivery_of(outcome.status) is Delivery.TEMPORARY


def test_a_failure_nobody_can_explain_stays_loud():
    with pytest.raises(ZeroDivisionError):
        failure_outcome(ZeroDivisionError("a bug"), explain)


def test_a_mail_taken_in_goes_to_the_done_folder():
    assert delivery_of(EX_OK) is Delivery.ACCEPTED
