"""Marking knowledge-base articles public for the help center: ``kb publish``, ``kb add --public`` and the import's
``public``/``queue`` fields; the outbox op carries them to the team server."""

from __future__ import annotations

import json

from sqlalchemy import select

from agent_console.domain.kb import KnowledgeBase
from agent_console.store.models import KBArticle, OutboxOp


def article(store, slug: str) -> KBArticle:
    with store.session() as session:
        return session.scalar(select(KBArticle).where(KBArticle.slug == slug))


def test_articles_are_internal_until_published_and_the_op_says_so(cli, store, clock):
    KnowledgeBase(store, clock).create(slug="returns", title="Returns", body="Send it back.", language="en")
    assert article(store, "returns").public is False
    result = cli("kb", "publish", "returns", "--queue", "Returns")
    assert result.exit_code == 0, result.output
    published = article(store, "returns")
    assert published.public is True and published.queue == "Returns"
    with store.session() as session:
        op = session.scalars(select(OutboxOp).where(OutboxOp.kind == "kb.upsert").order_by(OutboxOp.id.desc())).first()
    payload = op.payload if isinstance(op.payload, dict) else json.loads(op.payload)
    assert payload["article"]["public"] is True and payload["article"]["queue"] == "Returns"

    assert cli("kb", "publish", "returns", "--internal", "--queue", "").exit_code == 0
    internal = article(store, "returns")
    assert internal.public is False and internal.queue is None


def test_kb_add_public(cli, store, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("Print the label.", encoding="utf-8")
    result = cli("kb", "add", "--title", "Label", "--body-file", str(body), "--public", "--queue", "Returns")
    assert result.exit_code == 0, result.output
    added = article(store, "label")
    assert added.public is True and added.queue == "Returns"


def test_publish_of_a_missing_article_is_refused(cli):
    result = cli("kb", "publish", "nothing-here")
    assert result.exit_code != 0 and "nothing-here" in result.output and "Traceback" not in result.output


def test_import_takes_public_and_queue_and_a_file_without_them_keeps_them(cli, store, tmp_path):
    with_flags = tmp_path / "kb.jsonl"
    with_flags.write_text(json.dumps({"slug": "refund", "title": "Refund", "body": "Five days.", "tags": "",
                                      "language": "en", "public": "yes", "queue": "Billing"}) + "\n",
                          encoding="utf-8")
    assert cli("import", "kb", str(with_flags)).exit_code == 0
    assert (article(store, "refund").public, article(store, "refund").queue) == (True, "Billing")
    without = tmp_path / "kb2.jsonl"
    without.write_text(json.dumps({"slug": "refund", "title": "Refund", "body": "Six days.", "tags": "",
                                   "language": "en"}) + "\n", encoding="utf-8")
    assert cli("import", "kb", str(without)).exit_code == 0
    kept = article(store, "refund")
    assert (kept.public, kept.queue, kept.body) == (True, "Billing", "Six days.")


def test_import_refuses_a_bad_public_value(cli, tmp_path):
    bad = tmp_path / "kb.jsonl"
    bad.write_text(json.dumps({"slug": "x", "title": "X", "body": "b", "tags": "", "language": "en",
                               "public": "perhaps"}) + "\n", encoding="utf-8")
    result = cli("import", "kb", str(bad))
    assert result.exit_code != 0 and "public" in result.output and "line 1" in result.output


def test_a_markdown_folder_takes_public_from_the_front_matter(cli, store, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ruecksendung.md").write_text("---\ntitle: Rücksendung\nlanguage: de\npublic: true\nqueue: Returns\n"
                                            "---\nEtikett drucken.\n", encoding="utf-8")
    assert cli("import", "kb", str(folder)).exit_code == 0
    imported = article(store, "ruecksendung")
    assert (imported.public, imported.queue) == (True, "Returns")
