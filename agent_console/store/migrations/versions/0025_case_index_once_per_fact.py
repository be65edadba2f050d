"""case search index: each fact indexed once (a case's fields in its head row, a message's text in its own row)

Revision ID: 0025
Revises: 0026
Create Date: 2026-12-03 17:00:00

Up to 0016 every message row of ``case_fts`` repeated its case's subject, customer and ids, which made building the
index cost as much as three quarters of a bulk import. Now the head row (rowid = minus the case's id) holds subject,
people and ids, a message row only its body, and a query split between the two is put together when searching
(``store/search/case_cross.py``). The upgrade drops the index and its triggers and rebuilds them from the rows in
the new layout; the downgrade rebuilds the 0016 layout. SQLite only: on PostgreSQL this revision changes nothing.
"""
from alembic import op


revision = '0025'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store.search.case_schema import recreate_case_schema

    recreate_case_schema(bind.connection.dbapi_connection)


# The 0016 layout: every message row carries its case's subject, people and ids beside its body.
_N = "ac_search_norm"
_CONTEXT = (f"{_N}(c.subject, c.language), {{body}}, "
            f"{_N}(cu.name || ' ' || coalesce(cu.email, ''), c.language), ac_search_case_ids(c.key, cu.phone)")
_HEADS = f"SELECT -c.id, {_CONTEXT.format(body=repr(''))} FROM cases c JOIN customers cu ON cu.id = c.customer_id"
_MESSAGES = (f"SELECT m.id, {_CONTEXT.format(body=f'{_N}(m.body, c.language)')} "
             "FROM messages m JOIN cases c ON c.id = m.case_id JOIN customers cu ON cu.id = c.customer_id")
_INTO = "INSERT INTO case_fts(rowid, subject, body, people, ids)"
_CASE_ROWS_OF = "rowid = -{c}.id OR rowid IN (SELECT id FROM messages WHERE case_id = {c}.id)"
_CUSTOMER_ROWS_OF = ("rowid IN (SELECT -id FROM cases WHERE customer_id = {c}.id) OR rowid IN (SELECT m.id FROM "
                     "messages m JOIN cases c ON c.id = m.case_id WHERE c.customer_id = {c}.id)")
_OLD_TRIGGERS = (
    f"""CREATE TRIGGER messages_case_search_insert AFTER INSERT ON messages BEGIN
        {_INTO} {_MESSAGES} WHERE m.id = new.id; END""",
    f"""CREATE TRIGGER messages_case_search_update AFTER UPDATE OF id, body, case_id ON messages
        WHEN old.id IS NOT new.id OR old.body IS NOT new.body OR old.case_id IS NOT new.case_id BEGIN
        DELETE FROM case_fts WHERE rowid = old.id; {_INTO} {_MESSAGES} WHERE m.id = new.id; END""",
    """CREATE TRIGGER messages_case_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM case_fts WHERE rowid = old.id; END""",
    f"""CREATE TRIGGER cases_case_search_insert AFTER INSERT ON cases BEGIN
        {_INTO} {_HEADS} WHERE c.id = new.id; END""",
    f"""CREATE TRIGGER cases_case_search_update AFTER UPDATE OF id, key, subject, language, customer_id ON cases
        WHEN old.id IS NOT new.id OR old.key IS NOT new.key OR old.subject IS NOT new.subject OR
        old.language IS NOT new.language OR old.customer_id IS NOT new.customer_id BEGIN
        DELETE FROM case_fts WHERE {_CASE_ROWS_OF.format(c="old")};
        {_INTO} {_HEADS} WHERE c.id = new.id; {_INTO} {_MESSAGES} WHERE m.case_id = new.id; END""",
    """CREATE TRIGGER cases_case_search_delete AFTER DELETE ON cases BEGIN
        DELETE FROM case_fts WHERE rowid = -old.id; END""",
    f"""CREATE TRIGGER customers_case_search_update AFTER UPDATE OF id, name, email, phone ON customers
        WHEN old.id IS NOT new.id OR old.name IS NOT new.name OR old.email IS NOT new.email OR
        old.phone IS NOT new.phone BEGIN
        DELETE FROM case_fts WHERE {_CUSTOMER_ROWS_OF.format(c="old")};
        {_INTO} {_HEADS} WHERE c.customer_id = new.id; {_INTO} {_MESSAGES} WHERE c.customer_id = new.id; END""",
)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    from agent_console.store.search.case_schema import CASE_DROP_STATEMENTS
    from agent_console.store.search.functions import register_functions

    register_functions(bind.connection.dbapi_connection)
    for statement in CASE_DROP_STATEMENTS:
        bind.exec_driver_sql(statement)
    bind.exec_driver_sql("CREATE VIRTUAL TABLE case_fts USING fts5(subject, body, people, ids, "
                         "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")")
    bind.exec_driver_sql("INSERT INTO case_fts(case_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0, 3.0, 5.0)')")
    bind.exec_driver_sql(f"{_INTO} {_HEADS} ORDER BY c.id DESC")
    bind.exec_driver_sql(f"{_INTO} {_MESSAGES} ORDER BY m.id")
    bind.exec_driver_sql("CREATE VIRTUAL TABLE case_fts_vocab USING fts5vocab(case_fts, 'row')")
    for statement in _OLD_TRIGGERS:
        bind.exec_driver_sql(statement)
