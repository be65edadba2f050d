"""Rules for the headers of the mails the console sends and reads back: the Message-IDs it makes, the case key in a
subject. Plain functions, no I/O."""

from __future__ import annotations

import re

from agent_console.domain.case_rules import KEY_PREFIX

_KEY_IN_SUBJECT = re.compile(rf"\[({re.escape(KEY_PREFIX)}\d+)\]")
_LINE_BREAKS = re.compile(r"[\r\n\x00]+")


def new_message_id(mail_from: str, unique: str) -> str:
    """A Message-ID for a mail we send: ``<ac.UNIQUE@DOMAIN>``, the domain taken from our sender address (``mail_from``,
    ``Name <support@example.com>`` or ``support@example.com``). ``unique`` is the message's uid, so the same message
    always gets the same Message-ID."""
    address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    domain = address.rpartition("@")[2] or "agent-console.invalid"
    safe_unique = re.sub(r"[^A-Za-z0-9.-]", "", unique) or "message"
    return f"<ac.{safe_unique}@{domain}>"


def case_key_in_subject(subject: str) -> str | None:
    """The case key a subject carries as ``[AC-000123]`` (the last one, if several), or None."""
    found = _KEY_IN_SUBJECT.findall(subject or "")
    return found[-1] if found else None


def subject_for_case(case_key: str, subject: str) -> str:
    """The subject of a mail on a case's thread: one line (no header injection through line breaks), with the case
    key in brackets once."""
    one_line = _LINE_BREAKS.sub(" ", subject or "").strip()
    if f"[{case_key}]" in one_line:
        return one_line
    return f"{one_line} [{case_key}]".strip() if one_line else f"[{case_key}]"
