"""Alembic environment: runs on the connection handed in by agent_console.store.db, or on the configured URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from agent_console.store import models  # noqa: F401  (registers the tables)
from sqlmodel import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.begin() as conn:
        _run(conn)
