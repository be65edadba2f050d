"""Every SQL statement lives under ``agent_console/store/`` (issue #16, point 1): the domain's rules, the CLI's
commands and the sync client's replica writer import neither SQLAlchemy nor SQLModel (type hints under
``TYPE_CHECKING`` aside) and run no statement on a DB-API cursor; they call named store functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import agent_console

PACKAGE_ROOT = Path(agent_console.__file__).parent
ORM_PACKAGES = ("sqlalchemy", "sqlmodel")
CHECKED = ("domain", "cli", "sync")
#: Modules whose queries another part of issue #16 moves into the store; each leaves this list with that move.


def checked_modules() -> list[str]:
    return sorted(str(path.relative_to(PACKAGE_ROOT)) for package in CHECKED
                  for path in (PACKAGE_ROOT / package).rglob("*.py"))


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def sql_uses(source: str) -> list[str]:
    """Imports of SQLAlchemy/SQLModel outside ``if TYPE_CHECKING:``, and ``.execute``/``.executemany`` calls."""
    found = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(f"line {node.lineno}: import {a.name}" for a in node.names
                         if a.name.split(".")[0] in ORM_PACKAGES)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ORM_PACKAGES:
            found.append(f"line {node.lineno}: from {node.module} import …")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("execute", "executemany", "executescript")):
            found.append(f"line {node.lineno}: .{node.func.attr}(…)")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def test_the_checker_sees_imports_and_statements():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlmodel import Session\n"
              "import sqlalchemy.orm\nfrom sqlalchemy import select\n\ndef f(cursor):\n"
              "    from sqlmodel import col\n    cursor.execute('DELETE FROM cases')\n")
    assert sql_uses(source) == ["line 4: import sqlalchemy.orm", "line 5: from sqlalchemy import …",
                                "line 8: from sqlmodel import …", "line 9: .execute(…)"]


@pytest.mark.parametrize("module", checked_modules())
def test_no_sql_outside_the_store(module):
    assert sql_uses((PACKAGE_ROOT / module).read_text(encoding="utf-8")) == [], (
        f"{module} builds or runs SQL: move the query into a named function under agent_console/store/")
