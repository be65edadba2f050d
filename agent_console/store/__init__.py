"""The local store: SQLModel models, engine, migrations, queries and the search index. Knows nothing of the UI."""
