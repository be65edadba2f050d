"""The reader under the IMAP connection: a wait for a line that times out keeps what has arrived (imaplib's own
buffered socket file cannot be read again after a timeout, and IDLE has to wait in short steps to notice a stop)."""

from __future__ import annotations

import imaplib
import socket

import pytest

from agent_console.mail.imap_client import LineReader


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


def test_a_timed_out_wait_keeps_the_half_line_that_arrived(pair):
    ours, theirs = pair
    reader = LineReader(ours)
    theirs.sendall(b"* 4 EXI")

    assert reader.line_within(0.05) is None

    theirs.sendall(b"STS\r\n* OK still here\r\n")
    assert reader.line_within(5) == b"* 4 EXISTS\r\n"
    assert reader.readline() == b"* OK still here\r\n"


def test_read_returns_exactly_the_literal_and_leaves_the_rest(pair):
    ours, theirs = pair
    reader = LineReader(ours)
    theirs.sendall(b"0123456789)\r\n")

    assert reader.read(10) == b"0123456789"
    assert reader.readline() == b")\r\n"


def test_readline_stops_at_the_limit_as_imaplib_expects(pair):
    ours, theirs = pair
    reader = LineReader(ours)
    theirs.sendall(b"x" * 20 + b"\r\n")

    assert reader.readline(8) == b"x" * 8


def test_a_closed_connection_is_an_imap_abort(pair):
    ours, theirs = pair
    reader = LineReader(ours)
    theirs.sendall(b"* BYE")
    theirs.close()

    with pytest.raises(imaplib.IMAP4.abort):
        reader.readline()
