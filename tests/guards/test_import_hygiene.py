"""The core owns no UI, HTTP or CLI: importing every ``store`` and ``domain`` module pulls in none of them.

Two checks, because a lazy import inside a function hides from the first: a fresh interpreter imports every module
and looks at ``sys.modules``; and the source of every module is read for imports of those packages anywhere in it.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import agent_console

FORBIDDEN_PACKAGES = ("textual", "rich", "httpx", "fastapi", "typer")
FORBIDDEN_PROJECT_PACKAGES = ("screens", "widgets", "sync", "server")
CORE_PACKAGES = ("store", "domain", "mail")

PACKAGE_ROOT = Path(agent_console.__file__).parent


def core_modules() -> list[str]:
    names = []
    for package in CORE_PACKAGES:
        path = PACKAGE_ROOT / package
        names.append(f"agent_console.{package}")
        names += [m.name for m in pkgutil.walk_packages([str(path)], f"agent_console.{package}.")]
    return sorted(names)


def is_forbidden(module: str) -> bool:
    top = module.split(".")[0]
    if top in FORBIDDEN_PACKAGES:
        return True
    return any(module == f"agent_console.{p}" or module.startswith(f"agent_console.{p}.")
               for p in FORBIDDEN_PROJECT_PACKAGES)


IMPORT_EVERYTHING = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_core_modules_are_found():
    modules = core_modules()
    assert "agent_console.store.db" in modules and "agent_console.domain.sla" in modules


def test_importing_store_and_domain_loads_no_ui_http_or_cli_package():
    modules = core_modules()
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING, json.dumps(modules)],
                          capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout)
    leaked = sorted(m for m in loaded if is_forbidden(m))
    assert leaked == [], f"importing store/ and domain/ loaded {leaked}"


def _imports_of(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_no_store_or_domain_source_imports_ui_http_or_cli_code_even_lazily():
    offenders = []
    for package in CORE_PACKAGES:
        for path in sorted((PACKAGE_ROOT / package).rglob("*.py")):
            for line, module in _imports_of(path.read_text(encoding="utf-8")):
                if is_forbidden(module):
                    offenders.append(f"{path.relative_to(PACKAGE_ROOT.parent)}:{line} imports {module}")
    assert offenders == [], "\n".join(offenders)


def test_the_key_map_is_ui_configuration_outside_the_domain():
    assert find_spec("agent_console.domain.keys") is None
    assert find_spec("agent_console.keys") is not None
