"""case search index: case_fts over every message, note, case and customer (SQLite FTS5 + triggers)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:00:00

``case_fts`` holds one row per message and one per case, each with its case's subject and customer (see
``store/search/case_schema.py``); triggers on messages, cases and customers keep it in step in the writer's own
transaction. SQLite only: on PostgreSQL (the server) this revision changes nothing.
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store.search.case_schema import create_case_schema

    create_case_schema(bind.connection.dbapi_connection)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store.search.case_schema import CASE_DROP_STATEMENTS

    for statement in CASE_DROP_STATEMENTS:
        bind.exec_driver_sql(statement)
