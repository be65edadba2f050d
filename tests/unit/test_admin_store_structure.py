"""Structure of the admin tools and the store (issue #16): the admin tools write no SQL of their own, no module
of theirs or of the store grows past 500 lines, and the search index does not import the store's engine module."""

import ast
from pathlib import Path

import agent_console

PACKAGE = Path(agent_console.__file__).parent
#: The schema stays one module: the tables refer to each other, and one file shows them all.
LONG_ALLOWED: set = set()
SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "func", "bindparam", "and_", "or_"}


def _modules(*parts: str) -> list[Path]:
    return sorted(PACKAGE.joinpath(*parts).rglob("*.py"))


def test_admin_modules_leave_sql_to_the_store():
    offenders = []
    for path in _modules("admin"):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy"):
                offenders += [f"{path.name}: imports {a.name}" for a in node.names if a.name in SQL_BUILDERS]
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "exec_driver_sql", "scalars", "scalar"):
                offenders.append(f"{path.name}:{node.lineno}: .{node.attr}(…)")
        if "PRAGMA" in source.upper():
            offenders.append(f"{path.name}: PRAGMA")
    assert offenders == []


def test_no_admin_or_store_module_over_500_lines():
    long = {str(path.relative_to(PACKAGE)): n for path in _modules("admin") + _modules("store")
            if path not in LONG_ALLOWED and "migrations" not in path.parts
            and (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_the_search_index_does_not_import_the_store_engine():
    importers = []
    for path in _modules("store", "search"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "agent_console.store.db":
                importers.append(path.name)
    assert importers == []
