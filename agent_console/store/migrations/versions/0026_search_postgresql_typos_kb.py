"""PostgreSQL search: vocabularies for the typo mode, the knowledge base's index

Revision ID: 0026
Revises: 0028
Create Date: 2026-12-03 17:00:00

The server's PostgreSQL gets what the SQLite stores have had: the indexed terms of the case index (``case_fts_vocab``)
for near terms of a word typed wrong (with ``pg_trgm``), and a knowledge-base index (``kb_fts`` with its
``kb_fts_vocab``) for the help center's search (``store/search/pg_vocab.py``, ``kb_pg_schema.py``). On SQLite this
revision changes nothing.
"""
from alembic import op


revision = '0026'
down_revision = '0028'
branch_labels = None
depends_on = None


def _run(statements) -> None:
    # The DB-API cursor without parameters, as in 0019: the folding function holds "%".
    cursor = op.get_bind().connection.dbapi_connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


def _create_pg_trgm() -> None:
    available = op.get_bind().exec_driver_sql(
        "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar()
    if not available:
        raise RuntimeError("PostgreSQL has no pg_trgm extension, which the search's typo mode needs: install the "
                           "server's contrib modules (Debian: the postgresql package ships them) and migrate again")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from agent_console.store.search.kb_pg_schema import SEARCH_PG_0026_STATEMENTS

    _create_pg_trgm()
    _run(SEARCH_PG_0026_STATEMENTS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from agent_console.store.search.kb_pg_schema import SEARCH_PG_0026_DROP_STATEMENTS

    _run(SEARCH_PG_0026_DROP_STATEMENTS)
