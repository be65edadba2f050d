"""64-bit keys on PostgreSQL: change_log.seq and the ids of every table that grows with traffic (and the foreign keys
to them) become BIGINT, their sequences too. SQLite's INTEGER is 64-bit already: nothing to do there.

PostgreSQL rewrites each table (under an exclusive lock) while it converts it: on a large live database run
`agent-console server db upgrade` in a quiet hour, with the server stopped.

Revision ID: 0012
Revises: 0011
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: table -> its columns that become BIGINT (the primary key first; it owns the table's sequence).
COLUMNS = {
    "change_log": ("seq",),
    "customers": ("id",),
    "cases": ("id", "customer_id"),
    "messages": ("id", "case_id"),
    "handling_segments": ("id", "case_id"),
    "handling_corrections": ("id", "case_id"),
    "sla_events": ("id", "case_id"),
    "escalations": ("id", "case_id"),
    "follow_ups": ("id", "case_id", "escalation_id"),
    "case_article_links": ("id", "case_id"),
    "surveys": ("id", "case_id"),
    "drafts": ("id", "case_id"),
    "audit_events": ("id", "entity_id"),
    "agent_state_changes": ("id",),
    "outbox": ("id",),
    "login_failures": ("id",),
    "auth_tokens": ("id",),
}


def _convert(sql_type: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        alterations = ", ".join(f"ALTER COLUMN {column} TYPE {sql_type}" for column in columns)
        op.execute(f"ALTER TABLE {table} {alterations}")
        sequence = bind.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', '{columns[0]}')").scalar()
        if sequence is not None:
            op.execute(f"ALTER SEQUENCE {sequence} AS {sql_type}")


def upgrade() -> None:
    _convert("bigint")


def downgrade() -> None:
    _convert("integer")
