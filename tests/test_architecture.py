"""The import contract and the shape rules of docs/architecture.md, read from the source itself.

Every import counts, at module level or inside a function (an import moved into a function still
ties the modules together); only imports under `if TYPE_CHECKING:` are left out.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "rituals", "reports")
# bot/'s wiring: these modules import the capability list (handlers/) and sit above everything else.
TOP = {"bot.app", "bot.cli", "bot.demo", "bot.schema", "bot.scheduler", "bot.web", "bot.wiring", "bot.worker"}
SQL_NAMES = {"select", "insert", "update", "delete", "func", "text", "and_", "or_", "exists", "literal"}
SQL_METHODS = {"execute", "scalar", "scalars", "query", "get", "add", "add_all", "delete", "flush", "merge"}
MAX_LINES = 400


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported name, as written (absolute)
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return hidden


def _imports(name: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))
    hidden = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found += [Import(name, f"{base}.{alias.name}" if base else alias.name, node.lineno) for alias in node.names]
            found.append(Import(name, base, node.lineno))
    return found


ALL = _modules()
IMPORTS = {name: _imports(name, path) for name, path in ALL.items()}


def _resolve(target: str) -> str | None:
    """The project module an imported name belongs to (a module, or a name inside one)."""
    while target:
        if target in ALL:
            return target
        target = target.rpartition(".")[0]
    return None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in ALL}
    for name, imports in IMPORTS.items():
        for imp in imports:
            target = _resolve(imp.target)
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _violations(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for name in modules
        for imp in IMPORTS[name]
        if any(imp.target == f or imp.target.startswith(f + ".") for f in forbidden)
    ]


def test_the_checker_sees_every_package_and_its_imports():
    assert {name.split(".")[0] for name in ALL} == set(PACKAGES)
    assert len(ALL) > 100
    assert "handlers.forms" in _graph()["handlers.retro.views"], "a handler reads forms through handlers.forms"


def test_no_import_circle_even_inside_functions():
    assert _cycles(_graph()) == []


def test_the_checker_finds_a_circle_when_there_is_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_domain_never_imports_slack():
    domain = [n for n in ALL if n.startswith(("rituals", "reports"))]
    assert _violations(domain, ("slack_bolt", "slack_sdk")) == []


def test_the_domain_never_imports_handlers_or_the_wiring():
    domain = [n for n in ALL if n.startswith(("rituals", "reports"))]
    assert _violations(domain, ("handlers", *sorted(TOP))) == []


def test_bots_kernel_never_imports_the_capabilities():
    kernel = [n for n in ALL if n.startswith("bot") and n not in TOP]
    assert _violations(kernel, ("handlers", "rituals", "reports", *sorted(TOP))) == []


def test_handlers_never_import_the_wiring():
    listeners = [n for n in ALL if n.startswith("handlers")]
    assert _violations(listeners, tuple(sorted(TOP))) == []


def _sql_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            names = {alias.name for alias in node.names}
            if node.module != "sqlalchemy.orm" or names - {"Session"}:
                found.append(f"{path.name}:{node.lineno} imports {node.module}: {sorted(names)}")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlalchemy" for a in node.names):
            found.append(f"{path.name}:{node.lineno} imports sqlalchemy")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"db", "session", "s"}
        ):
            found.append(f"{path.name}:{node.lineno} calls {node.func.value.id}.{node.func.attr}()")
    return found


def test_handlers_never_run_sql():
    found = [hit for name, path in ALL.items() if name.startswith("handlers") for hit in _sql_in(path)]
    assert found == []


def test_the_sql_check_catches_a_query_in_a_listener(tmp_path):
    listener = tmp_path / "listener.py"
    listener.write_text("from sqlalchemy import select\n\ndef handle(db):\n    return db.get(Retro, 1)\n")
    assert len(_sql_in(listener)) == 2


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_over_400_lines(package):
    long = {
        name: n
        for name, path in ALL.items()
        if name.startswith(package) and (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_blind_except_around_slack_in_the_domain():
    """A Slack error in rituals/ or reports/ comes through the typed port and is not swallowed whole."""
    found = []
    for name, path in ALL.items():
        if not name.startswith(("rituals", "reports")):
            continue
        text = path.read_text()
        if "users_info" in text or "users_lookupByEmail" in text or "conversations_members" in text:
            found.append(f"{name} calls the Slack Web API directly")
    assert found == []


def _id_literals() -> dict[str, list[str]]:
    """Namespaced id strings ("retro.vote") written in code (docstrings left out), and where."""
    pattern = re.compile(r"^(digest|gpu|pi|retro|runs|spend|standup|ticket|tickets)\.[a-z_]+$")
    found: dict[str, list[str]] = {}
    for name, path in ALL.items():
        tree = ast.parse(path.read_text())
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and pattern.match(node.value)
            ):
                found.setdefault(node.value, []).append(f"{name}:{node.lineno}")
    return found


def test_every_id_is_written_once():
    """Action, callback, shortcut and job ids live in each capability's ids.py; everyone else uses them."""
    literals = _id_literals()
    assert {"retro.vote", "pi.vote_close", "standup.delete", "runs.promote"} <= set(literals)
    assert {value: places for value, places in literals.items() if len(places) > 1} == {}


def test_every_handler_package_is_one_capability_in_the_one_list():
    from handlers import CAPABILITIES

    packages = sorted(p.parent.name for p in (ROOT / "handlers").glob("*/__init__.py"))
    listed = sorted(c.register.__module__.split(".")[1] for c in CAPABILITIES if c.register)
    assert listed == packages
    for package in packages:
        module = __import__(f"handlers.{package}", fromlist=["register", "CAPABILITY"])
        assert module.CAPABILITY.register is module.register, package
