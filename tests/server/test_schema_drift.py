"""The models and the migrations describe the same schema: a store migrated to head has every table, column, index,
foreign key and type the SQLModel metadata declares, and nothing more (the search index's FTS tables aside), on
SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import agent_console.store.models  # noqa: F401  (fills SQLModel.metadata)
from agent_console.store.db import make_engine, upgrade



def is_search_index(name: str) -> bool:
    """Tables that exist only in migrations: the search index (SQLite FTS5 virtual tables, their shadow tables and
    the boost table kept beside them) and Alembic's own version table."""
    return "_fts" in name or name.startswith("fts_") or name == "alembic_version"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", "")
    return not is_search_index(table_name or "")


def schema_differences(url: str) -> list:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "compare_server_default": False, "include_object": include_object})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_store_migrated_to_head_matches_the_models(backend, databases):
    differences = schema_differences(databases.new(backend))
    assert differences == [], "\n".join(map(repr, differences))
