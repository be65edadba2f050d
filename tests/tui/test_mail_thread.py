"""A mail taken in shows on the case screen with its quoted earlier mail folded and its attachment listed."""

from __future__ import annotations

from pathlib import Path

from agent_console.domain.mail_intake import IntakeOptions, ingest
from agent_console.store import queries
from tui_support import screen_text, settle

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
OPTIONS = IntakeOptions(mail_from="support@shop.example", queue="General")


async def test_a_mail_shows_folded_with_its_attachment(make_app, store, clock):
    from agent_console.screens.case_detail import CaseDetailScreen

    ingest(store, clock, (CORPUS / "attachment.eml").read_bytes(), OPTIONS)
    # Maya's reply without its threading headers: it lands on AC-000001 by the key in its subject.
    raw = (CORPUS / "reply_in_reply_to.eml").read_bytes().replace(b"In-Reply-To: <ac.reply-0001@shop.example>\n", b"").replace(
        b"References: <CAJfK2x9Qm7wZ3Vb+8tP1o_hY4sN6eR0uD5cG2aL7kM@mail.gmail.com> <ac.reply-0001@shop.example>\n",
        b"")
    ingest(store, clock, raw, OPTIONS)
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        with store.session() as session:
            case_id = queries.case_by_key(session, "AC-000001").id
        await app.push_screen(CaseDetailScreen(case_id))
        await settle(pilot)
        text = screen_text(app)
    assert "Attachment: Kassenbon März.pdf (application/pdf, 1 KB)" in text
    assert "Thanks, but I still have not received a shipping label." in text
    assert "… 3 quoted lines folded" in text and "we are sorry about the screen" not in text
