"""Constants that identify a store file, importable without SQLAlchemy (the fast read path needs them)."""

#: "AgCo" as a 32-bit integer: written into the SQLite header of every store.
APPLICATION_ID = 0x4167436F
#: The newest migration's revision. Opening a store already at it needs no Alembic import (~120 ms of start-up);
#: tests/unit/test_store_migrations.py checks it matches the migration scripts.
SCHEMA_HEAD = "0033"
