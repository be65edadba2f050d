"""knowledge-base search: kb_fts_boost, the candidate index of the exact BM25 ranking shortcut

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 23:25:00

``kb_fts_boost`` holds, per article, the tokens that can score more than a single plain mention in the body (title
and tag tokens, body tokens used twice or more, every token of a short article), also marked by how strong they are
and the article's length bucket (``search.boost_tokens``); ``store.search`` ranks those articles first and proves
that no other article can reach the page (see ``search._kb_ranked``). Its own triggers
keep it in step with ``kb_articles``; it is filled from kb_fts (the other search tables are unchanged).
SQLite only: on PostgreSQL (the server) this revision changes nothing.
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store import search

    raw = bind.connection.dbapi_connection
    search.register_functions(raw)
    cursor = raw.cursor()
    try:
        for statement in search.BOOST_SCHEMA_STATEMENTS:  # table and triggers (kb_fts is 0004's)
            cursor.execute(statement)
        search.fill_boost(cursor)
    finally:
        cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store import search

    for statement in search.BOOST_DROP_STATEMENTS:
        bind.exec_driver_sql(statement)
