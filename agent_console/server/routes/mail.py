"""``POST /api/v1/mail/inbound``: the mail gateway hands one raw mail to the team server, which takes it in with the
same intake code as ``agent-console mail ingest`` on a local store (``domain/mail_intake``)."""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from agent_console.i18n import _
from agent_console.server import schemas
from agent_console.server.routes.deps import Caller, state

router = APIRouter(prefix="/api/v1/mail", tags=["mail"])

#: Base64 of the largest mail intake reads (``mail.parse.MAX_RAW_BYTES``), with room for the JSON around it.
MAX_INBOUND_BODY_BYTES = 56 * 1024 * 1024


class MailInbound(BaseModel):
    #: The mail exactly as received (RFC 5322 bytes), base64-encoded: mail need not be UTF-8.
    raw_base64: str = Field(max_length=MAX_INBOUND_BODY_BYTES)


class MailIntakeAnswer(BaseModel):
    outcome: Literal["new_case", "reply", "auto_reply", "bounce", "refused"]
    case_key: str | None
    detail: str
    duplicate: bool
    acknowledged: bool


@router.post("/inbound", response_model=MailIntakeAnswer,
             responses={401: {"model": schemas.Error}, 403: {"model": schemas.Error},
                        422: {"model": schemas.Error, "description": "The mail can never be accepted (the reason)"},
                        503: {"model": schemas.Error, "description": "The gateway is set up wrongly; retry later"}})
def inbound(body: MailInbound, principal: Caller, request: Request):
    """Take one mail in: a new e-mail case (acknowledged), a reply on its case, an automatic reply or a bounce. A mail
    taken before answers ``duplicate`` and is not stored again."""
    from agent_console.domain.mail_intake import IntakeSetupError, MailRefused, ingest

    server = state(request)
    options = _options(request)
    if not principal.may_see_queue(options.queue):
        raise HTTPException(403, _("new e-mail cases go to queue {queue}, which is not one of yours").format(
            queue=options.queue))
    try:
        raw = base64.b64decode(body.raw_base64, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, _("raw_base64 is not valid base64")) from None
    try:
        result = ingest(server.store, server.clock, raw, options)
    except MailRefused as exc:
        raise HTTPException(422, str(exc)) from None
    except IntakeSetupError as exc:
        raise HTTPException(503, str(exc)) from None
    return MailIntakeAnswer(**result.as_json())


def _options(request: Request):
    """The server's mail settings (its settings file and environment), read once."""
    options = getattr(request.app.state, "mail_options", None)
    if options is not None:
        return options
    from agent_console.config import SettingsError, load_settings
    from agent_console.domain.mail_intake import IntakeOptions

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise HTTPException(503, _("the server's settings cannot be read: {error}").format(error=exc)) from None
    if not settings.mail_from:
        raise HTTPException(503, _("the server has no mail_from setting (the channel's sender address): set it in "
                                   "its settings file or $AGENT_CONSOLE_MAIL_FROM"))
    options = IntakeOptions.from_settings(settings)
    request.app.state.mail_options = options
    return options
