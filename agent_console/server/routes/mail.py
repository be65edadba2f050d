"""``POST /api/v1/mail/inbound``: the mail gateway hands one raw mail to the team server, which takes it in with the
same intake code as ``agent-console mail ingest`` on a local store (``domain/mail_intake``).
``GET /api/v1/mail/attachments/{uid}``: the content of a file that came with a mail (the change feed carries only its
name, type and size), for an agent of its case's queue."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Request, Response
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


@router.get("/attachments/{uid}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}, "description": "The file's content"},
                       401: {"model": schemas.Error},
                       404: {"model": schemas.Error, "description": "No such file in the caller's queues"},
                       410: {"model": schemas.Error, "description": "The file was over the size limit: not kept"}})
def attachment(uid: Annotated[str, Path(max_length=64)], principal: Caller, request: Request):
    """The content of a file that came with a mail, for an agent who may see its case's queue. Always sent as
    ``application/octet-stream`` for download (``X-Attachment-Type`` gives the type the mail declared): a file from
    a customer is never shown by a browser as a page."""
    from agent_console.store.mail_receipts import attachment_with_queue

    found = None
    if "\x00" not in uid:  # PostgreSQL refuses NUL in text
        with state(request).store.session() as session:
            found = attachment_with_queue(session, uid)
    if found is None or not principal.may_see_queue(found[1]):
        raise HTTPException(404, _("no attachment {uid}").format(uid=repr(uid)))
    row = found[0]
    if row.content is None:
        raise HTTPException(410, _("the file {name} was not kept: it was over the size limit").format(
            name=repr(row.filename)))
    return Response(row.content, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename, safe='')}",
        "X-Attachment-Type": "".join(ch for ch in row.content_type if " " <= ch <= "~"),
        "X-Content-Type-Options": "nosniff"})


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
