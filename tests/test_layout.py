"""The package's folders are its layers: these tests read the imports and keep the rules true."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import followupd

PACKAGE = Path(followupd.__file__).parent
# What the pure core may import besides itself and the standard library.
CORE_MAY_IMPORT = {"followupd.model", "followupd.errors", "holidays"}
# Each outside library has one door: the only module (or folder) that imports it.
DOORS = {
    "imapclient": {"followupd.mailbox.imap"},
    "yaml": {"followupd.config.load"},
    "sqlite3": {"followupd.state.store"},
    "keyring": {"followupd.auth.secrets"},
    "apscheduler": {"followupd.service.daemon"},
    "jinja2": {"followupd.drafts.render"},
    "jeepney": {"followupd.service.desktop"},
}


# The README's source map: which layers each folder may import (besides itself).
SHARED = {"model", "errors"}
LAYERS_BELOW = {
    "core": SHARED,
    "drafts": SHARED | {"core"},
    "config": SHARED | {"core"},
    "auth": SHARED | {"core"},
    "state": SHARED,
    "mailbox": SHARED | {"core"},
    "service": SHARED | {"core", "drafts", "config", "auth", "state", "mailbox"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported_names(name: str) -> set[str]:
    """Every module this one imports, anywhere in it (late and type-only imports too)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from followupd.core import planner` imports the module planner.
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return found


def internal_imports(name: str) -> set[str]:
    """The followupd modules this one imports; a package's own __init__ is not counted twice."""
    return {other for other in imported_names(name) if other in MODULES and other != name}


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    graph = {name: internal_imports(name) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


def test_the_package_has_no_import_circles():
    assert cycles() == []


def test_the_circle_finder_finds_a_circle(monkeypatch):
    # The rule above is only worth something if a circle would be seen.
    fake = {"followupd.a": {"followupd.b"}, "followupd.b": {"followupd.a"}}
    monkeypatch.setattr(sys.modules[__name__], "MODULES", {name: None for name in fake})
    monkeypatch.setattr(sys.modules[__name__], "internal_imports", lambda name: fake[name])
    assert cycles() == [["followupd.a", "followupd.b"]]


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.startswith("followupd.core")))
def test_the_core_imports_only_values_errors_and_the_standard_library(name):
    outside = {
        imported
        for imported in imported_names(name)
        if not imported.startswith("followupd.core")
        and imported != "__future__"
        and imported.split(".")[0] not in sys.stdlib_module_names
        and imported not in CORE_MAY_IMPORT
        and imported.split(".")[0] not in CORE_MAY_IMPORT
    }
    assert outside == set()


@pytest.mark.parametrize("library", sorted(DOORS))
def test_each_outside_library_is_imported_by_its_one_door(library):
    importers = {name for name in MODULES if any(i.split(".")[0] == library for i in imported_names(name))}
    assert importers == DOORS[library]


def test_every_module_is_in_a_layer_folder_or_is_the_thin_top():
    top = {name for name, path in MODULES.items() if name.count(".") == 1 and path.name != "__init__.py"}
    assert top == {
        "followupd.__main__", "followupd.cli", "followupd.commands", "followupd.demo",
        "followupd.model", "followupd.errors",
    }


def layer_of(name: str) -> str:
    """'followupd.core.planner' → 'core'; the package itself (`from followupd import model`) → ''."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("layer", sorted(LAYERS_BELOW))
def test_each_layer_imports_only_the_layers_below_it(layer):
    reached = {
        layer_of(imported)
        for name in MODULES
        if layer_of(name) == layer
        for imported in internal_imports(name)
        if layer_of(imported) not in (layer, "")
    }
    assert reached <= LAYERS_BELOW[layer], sorted(reached - LAYERS_BELOW[layer])
