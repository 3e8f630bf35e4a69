"""The sandbox's modules import one another in one direction only: no import circles inside ``ls_widget/sandbox``.

The graph is read from the source, not from ``sys.modules``: every ``import`` and ``from ... import`` statement of
every module of ls_widget, wherever it stands (module level, inside a function, under ``if TYPE_CHECKING:``), since a
circle hidden in a function is still two modules that cannot be understood one without the other. An edge leads to
the module an import names; ``from package import name`` leads to ``package.name`` when that is a module, else to the
package itself. Importing a submodule does run its package's ``__init__`` first, but that is not counted as an edge:
every package would otherwise be a circle with each module its ``__init__`` imports.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "ls_widget"
SANDBOX = "ls_widget.sandbox"


def module_name(path: Path, root: Path = PACKAGE_ROOT) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache  # one parse of the source for every test here
def import_graph(root: Path = PACKAGE_ROOT) -> dict[str, set[str]]:
    """``{module: {modules of the same package it imports}}`` for every ``.py`` file under ``root``."""
    files = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, is_package, node.module, node.level)
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in files else base)
        graph[module] = {target for target in targets if target in files and target != module}
    return graph


def _absolute(module: str, is_package: bool, name: str | None, level: int) -> str:
    if level == 0:
        return name or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def in_sandbox(module: str) -> bool:
    return module == SANDBOX or module.startswith(SANDBOX + ".")


def test_no_import_circle_touches_the_sandbox():
    tangled = [circle for circle in circles(import_graph()) if any(in_sandbox(m) for m in circle)]
    assert tangled == [], f"import circles through ls_widget/sandbox: {tangled}"


def test_the_graph_sees_every_kind_of_import():
    """The check above would pass on an empty graph: this proves the graph holds what the source says."""
    graph = import_graph()
    assert f"{SANDBOX}.registry" in graph[f"{SANDBOX}.state"]  # a module-level `from .registry import ...`
    assert f"{SANDBOX}.authorize" in graph[f"{SANDBOX}.app"]  # `from . import authorize`: the submodule
    assert SANDBOX in graph[f"{SANDBOX}.__main__"]  # `from . import Sandbox`, inside main(): the package
    assert "ls_widget.panel" in graph[SANDBOX]  # `from ..panel import LightspeedConnection`, inside a method
    assert "ls_widget.profiles" in graph[SANDBOX]  # two levels up, from a package's __init__


def test_circles_are_found_wherever_they_hide(tmp_path):
    """A circle closed only by a function-level import, and one under TYPE_CHECKING, are both circles."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("from .b import thing\n")
    (root / "a.py").write_text("from .sub import b\n")
    (root / "sub" / "b.py").write_text("def thing():\n    from ..a import x\n")
    (root / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import y\n")
    (root / "d.py").write_text("import pkg.c\n")
    (root / "e.py").write_text("from . import a\n")  # leads into a circle without being in one
    assert circles(import_graph(root)) == [["pkg.a", "pkg.sub.b"], ["pkg.c", "pkg.d"]]
