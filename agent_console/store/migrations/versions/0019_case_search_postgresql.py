"""case search index on PostgreSQL: case_fts with a tsvector per message and case, written by triggers

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-03 15:00:00

The server's PostgreSQL gets the case index the SQLite stores have had since 0016: ``case_fts`` (one row per message
and one per case, each with its case's subject and customer), German and English text search configurations without
stop words, the folding and ids functions, and triggers on messages, cases and customers that keep it in step in the
writer's own transaction (``store/search/case_pg_schema.py``). On SQLite this revision changes nothing.
"""
from alembic import op


revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None


def _run(statements) -> None:
    # The DB-API cursor without parameters: the statements hold "%" (the folding function's punctuation).
    cursor = op.get_bind().connection.dbapi_connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from agent_console.store.search.case_pg_schema import PG_SCHEMA_STATEMENTS

    _run(PG_SCHEMA_STATEMENTS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from agent_console.store.search.case_pg_schema import PG_DROP_STATEMENTS

    _run(PG_DROP_STATEMENTS)
