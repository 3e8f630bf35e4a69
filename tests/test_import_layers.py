"""The package's layers, read from its source: every import of every module (at the top, inside functions, under
``TYPE_CHECKING``), resolved to the ls_widget module it names.

The layers, from the README's layout, top down:

- the package's top, ``ls_widget`` (ls_widget/__init__.py): the public names, loaded lazily, and the wiring between
  layers (it hands the sync engine the opener of saved connections);
- people and processes: the panel (panel.py, panel_messages.py, panel_protocol.py, panel_sync.py), the command line
  (cli.py), ``sync_all`` and its per-store processes (multi_sync.py, multi_sync_worker.py), the Jupyter route
  (capture/), the sandbox (sandbox/);
- the connection: connection.py (settings, sign-in, session, bound to one stored name), flow.py (from a form to a
  session), connections.py (saved settings), and the analysts' models (models/) that ``conn.sync`` rebuilds;
- the sync engine, ls_widget/sync/: a session and a target in, a result out;
- the session and what it stands on: session.py, auth.py, transport.py, ratelimit.py, query.py, tokens.py,
  token_store.py, token_endpoint.py, oauth.py, credentials.py, clients.py, profiles.py, catalogue.py, frames.py,
  progress.py, answers.py, names.py, store.py, storage/, errors.py.

What is held here: nothing the engine imports, directly or through anything it imports, is above it; and no two
modules import each other, however indirectly, anywhere in the package (the sandbox included).

A module loaded by name (``importlib.import_module``, as the lazy exports do) names its target in a ``TYPE_CHECKING``
import too, which is what this test reads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ls_widget

PACKAGE = Path(ls_widget.__file__).parent

ENGINE = "ls_widget.sync"
# Above the engine: what it may never reach. Packages stand for every module in them.
ABOVE_THE_ENGINE = (
    "ls_widget",  # the top itself (only this module: ls_widget.session is not "above")
    "ls_widget.panel", "ls_widget.panel_messages", "ls_widget.panel_protocol", "ls_widget.panel_sync",
    "ls_widget.cli", "ls_widget.multi_sync", "ls_widget.multi_sync_worker", "ls_widget.capture", "ls_widget.sandbox",
    "ls_widget.connection", "ls_widget.flow", "ls_widget.connections", "ls_widget.models",
)


def module_names(root: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Every module of the package at ``root``: dotted name -> (file, is a package's __init__)."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = (root.name, *path.relative_to(root).with_suffix("").parts)
        package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if package else parts)] = (path, package)
    return modules


def imports_of(name: str, path: Path, package: bool, modules: dict) -> set[str]:
    """The ls_widget modules ``name`` imports anywhere in its file (each the most specific module named)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from . import arrow` imports the module ls_widget.sync.arrow; `from .errors import X`, ls_widget.errors
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target not in modules and "." in target:  # `import ls_widget.sync.run as run`, a name in a module
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                found.add(target)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    modules = module_names(root)
    return {name: imports_of(name, path, package, modules) for name, (path, package) in modules.items()}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def above_the_engine(name: str) -> bool:
    return name == "ls_widget" or any(within(name, upper) for upper in ABOVE_THE_ENGINE if upper != "ls_widget")


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for edge in edges:
                if edge not in index:
                    index[edge] = low[edge] = len(index)
                    stack.append(edge)
                    on_stack.add(edge)
                    work.append((edge, iter(sorted(graph[edge]))))
                    advanced = True
                    break
                if edge in on_stack:
                    low[node] = min(low[node], index[edge])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def reached_from(graph: dict[str, set[str]], start: str) -> dict[str, str]:
    """Every module ``start`` imports, however indirectly -> the module that imports it (to show the path)."""
    via = {}
    todo = [start]
    while todo:
        module = todo.pop()
        for imported in graph[module]:
            if imported not in via and imported != start:
                via[imported] = module
                todo.append(imported)
    return via


def path_to(via: dict[str, str], start: str, end: str) -> str:
    chain = [end]
    while chain[-1] != start:
        chain.append(via[chain[-1]])
    return " -> ".join(reversed(chain))


def test_the_graph_reads_every_kind_of_import():
    # The readings the checks below rely on, each seen in the package itself.
    graph = import_graph()
    assert "ls_widget.sync.arrow" in graph["ls_widget.sync.run"]  # from . import arrow
    assert "ls_widget.session" in graph["ls_widget.sync.run"]  # from ..session import PAGE_SIZE, ...
    assert "ls_widget.connection" in graph["ls_widget.multi_sync"]
    assert "ls_widget.connection" in graph["ls_widget"]  # inside a function (the saved-connection opener)
    assert "ls_widget.panel" in graph["ls_widget"]  # under TYPE_CHECKING, mirroring a lazy export
    assert "ls_widget.sync.target" in graph["ls_widget.connection"]  # inside a method


def test_the_sync_engine_imports_nothing_above_it():
    graph = import_graph()
    engine = [name for name in graph if within(name, ENGINE)]
    assert len(engine) > 5
    reaching = []
    for module in engine:
        via = reached_from(graph, module)
        reaching += [path_to(via, module, upper) for upper in sorted(via) if above_the_engine(upper)]
    assert not reaching, "the sync engine reaches above itself:\n" + "\n".join(reaching)


def test_what_the_engine_may_not_import_is_a_module_or_package_that_exists():
    modules = module_names()
    for upper in ABOVE_THE_ENGINE:
        assert upper in modules, upper  # a renamed module must not silently leave the list


def test_no_import_cycles_anywhere_in_the_package():
    found = [sorted(cycle) for cycle in cycles(import_graph())]
    assert not found, f"import cycles: {found}"


def test_the_graph_reads_the_sandboxs_imports_too():
    graph, sandbox = import_graph(), "ls_widget.sandbox"
    assert f"{sandbox}.registry" in graph[f"{sandbox}.state"]  # a module-level `from .registry import ...`
    assert f"{sandbox}.authorize" in graph[f"{sandbox}.app"]  # `from . import authorize`: the submodule
    assert sandbox in graph[f"{sandbox}.__main__"]  # `from . import Sandbox`, inside main(): the package
    assert "ls_widget.panel" in graph[sandbox]  # `from ..panel import LightspeedConnection`, inside a method
    assert "ls_widget.profiles" in graph[sandbox]  # two levels up, from a package's __init__


def test_cycles_are_found_wherever_they_hide(tmp_path):
    """A cycle closed only by a function-level import, and one under TYPE_CHECKING, are both cycles."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("from .b import thing\n")
    (root / "a.py").write_text("from .sub import b\n")
    (root / "sub" / "b.py").write_text("def thing():\n    from ..a import x\n")
    (root / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import y\n")
    (root / "d.py").write_text("import pkg.c\n")
    (root / "e.py").write_text("from . import a\n")  # leads into a cycle without being in one
    assert sorted(sorted(cycle) for cycle in cycles(import_graph(root))) == [["pkg.a", "pkg.sub.b"], ["pkg.c", "pkg.d"]]


def test_the_cycle_finder_finds_a_cycle_through_several_modules_and_none_in_a_tree():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
