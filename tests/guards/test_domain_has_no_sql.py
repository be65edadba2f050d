"""The domain holds rules, the store holds SQL (issue #16 point 1): no module under ``agent_console/domain/`` builds or
runs a query. It may import ``Session`` and the like from SQLAlchemy/SQLModel for type hints, and use model objects
as plain values (loading by primary key, adding, flushing); every statement is a named function under
``agent_console/store/``, called with the session passed down."""

from __future__ import annotations

import ast
from pathlib import Path

import agent_console

DOMAIN = Path(agent_console.__file__).parent / "domain"

#: Modules whose queries move to the store in a parallel branch; emptied when that branch is merged.
#: What the domain may import from them: names for type hints, nothing that builds or runs a statement.
TYPE_HINT_NAMES = {"Session", "Connection", "Engine"}
SQL_BUILDERS = {"select", "update", "delete", "insert", "func", "text"}
RUNS_SQL = {"execute", "exec_driver_sql", "exec", "scalar", "scalars"}
#: The ORM and the database drivers: a domain module that imports a driver keeps a connection of its own.
SQL_LIBRARIES = ("sqlalchemy", "sqlmodel", "sqlite3", "psycopg", "psycopg2")


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else None


def sql_in(source: str) -> list[str]:
    """Where ``source`` imports a query builder, builds a statement or runs one (``line: what``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {alias.name}" for alias in node.names
                      if alias.name.split(".")[0] in SQL_LIBRARIES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in SQL_LIBRARIES:
            found += [f"{node.lineno}: from {node.module} import {alias.name}" for alias in node.names
                      if alias.name not in TYPE_HINT_NAMES]
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in SQL_BUILDERS:
                found.append(f"{node.lineno}: {function.id}(…)")
            elif isinstance(function, ast.Attribute) and _root_name(function) == "func":
                found.append(f"{node.lineno}: func.{function.attr}(…)")
            elif isinstance(function, ast.Attribute) and function.attr in RUNS_SQL:
                found.append(f"{node.lineno}: .{function.attr}(…)")
        elif isinstance(node, ast.Attribute) and node.attr == "__table__":
            found.append(f"{node.lineno}: .__table__")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "PRAGMA" in node.value.upper():
            found.append(f"{node.lineno}: PRAGMA")
    return found


def _checked_modules() -> list[Path]:
    return sorted(DOMAIN.rglob("*.py"))


def test_no_domain_module_builds_or_runs_sql():
    offenders = {str(path.relative_to(DOMAIN)): found for path in _checked_modules()
                 if (found := sql_in(path.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_finder_sees_each_kind_of_sql():
    source = '''
from sqlalchemy import func, select
from sqlmodel import Session
import sqlalchemy.orm
import sqlite3
def rule(session: Session, case):
    session.scalars(select(Case).where(Case.id == 1))
    session.execute(update(Case.__table__).values(version=2))
    session.scalar(func.count())
    delete(Case)
    session.get(Case, 1)
    session.add(case)
    session.flush()
    session.connection().exec_driver_sql("PRAGMA foreign_keys = ON")
'''
    assert sorted(sql_in(source)) == sorted([
        "2: from sqlalchemy import func", "2: from sqlalchemy import select", "4: import sqlalchemy.orm",
        "5: import sqlite3", "7: .scalars(…)", "7: select(…)", "8: .execute(…)", "8: update(…)", "8: .__table__",
        "9: .scalar(…)", "9: func.count(…)", "10: delete(…)", "14: .exec_driver_sql(…)", "14: PRAGMA",
    ])
