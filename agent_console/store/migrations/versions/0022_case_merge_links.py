"""case merge and links: cases.merged_into_id, case_links

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 15:00:00

A merged case points to the case it went into; ``case_links`` holds related / duplicate / parent links between two
cases. On SQLite the column is added with ALTER TABLE (no table copy), so the case search triggers on ``cases``
(migration 0016) stay in place.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import agent_console.store.types


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("ALTER TABLE cases ADD COLUMN merged_into_id INTEGER REFERENCES cases (id)")
    else:
        op.add_column('cases', sa.Column('merged_into_id', _BIG, nullable=True))
        op.create_foreign_key('cases_merged_into_id_fkey', 'cases', 'cases', ['merged_into_id'], ['id'])
    op.create_table('case_links',
    sa.Column('id', _BIG, nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', _BIG, nullable=False),
    sa.Column('other_id', _BIG, nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', agent_console.store.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['other_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'other_id'),
    sa.UniqueConstraint('uid')
    )
    op.create_index('ix_case_links_other', 'case_links', ['other_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_links_other', table_name='case_links')
    op.drop_table('case_links')
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite cannot drop a column with a foreign key: the table is copied. The copy loses the triggers on
        # ``cases`` (re-created after it), and the rename must not re-check the triggers of other tables that name
        # ``cases`` while it is away (legacy_alter_table).
        triggers = [sql for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases'")]
        bind.exec_driver_sql("PRAGMA legacy_alter_table = ON")
        with op.batch_alter_table('cases') as batch_op:
            batch_op.drop_column('merged_into_id')
        bind.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
        for sql in triggers:
            bind.exec_driver_sql(sql)
    else:
        op.drop_constraint('cases_merged_into_id_fkey', 'cases', type_='foreignkey')
        op.drop_column('cases', 'merged_into_id')
