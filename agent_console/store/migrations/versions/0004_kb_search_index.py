"""knowledge-base and resolved-replies search index (SQLite FTS5 + triggers)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:40:00

The FTS5 tables hold normalised (folded + stemmed) text computed by the SQL function ``ac_search_norm`` that
``agent_console.store.search`` registers on every store connection; triggers keep them in step with ``kb_articles``
and ``messages``. SQLite only: on PostgreSQL (the server) this revision changes nothing.
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store import search

    search.create_schema(bind.connection.dbapi_connection)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store import search

    for statement in search.DROP_STATEMENTS:
        bind.exec_driver_sql(statement)
