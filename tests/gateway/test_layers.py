"""The gateway's layers, read from its source (ARCHITECTURE.md "Invariants").

Imports point down only:

    app, cli                          the composition root: builds the app from everything
    oneroster, roster_import, openapi the products
    http                              routes, execute, respond, config, schema loader
    identity | dialect                beside each other, neither imports the other
    errors, pg_errors                 the base every layer raises from

The dialect is pure (request text -> plan -> SQL): it imports nothing that does
I/O, and inside it parse -> plan -> render point one way too. No module takes
part in an import cycle, `if TYPE_CHECKING:` imports included: a cycle through
type hints is still two modules that cannot be read apart.

An AST walk, no import is run: a module that is never imported is checked too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "gateway"

# Rank by package: a module may import its own layer or a lower one.
RANKS = {
    "errors": 0, "pg_errors": 0,
    "dialect": 1, "identity": 1,
    "http": 2,
    "oneroster": 3, "roster_import": 3, "openapi": 3, "ops": 3,
    "app": 4, "cli": 4, "__main__": 4,
}  # fmt: skip
SIBLINGS = {("dialect", "identity"), ("identity", "dialect")}
# Inside the dialect, the stages: a stage imports neither its later ones nor
# the schema's loader (there is none here: it lives in http).
DIALECT_STAGES = {"schema": 0, "parse": 1, "plan": 2, "render": 3}
# Third-party and standard modules that do I/O (or are the HTTP framework and
# the driver): never in the dialect. `io` stays allowed: StringIO is memory.
DIALECT_BANNED = {
    "litestar", "asyncpg", "os", "sys", "socket", "subprocess", "pathlib", "shutil", "tempfile",
    "asyncio", "logging", "http", "urllib.request", "piccolo", "httpx", "requests", "uvicorn", "jwt",
}  # fmt: skip


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """Every module `name` imports: gateway modules by their full name, others by theirs."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from gateway.dialect import keyset` imports the module keyset
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _layer(name: str) -> str:
    return name.split(".")[1] if "." in name else name


def test_the_source_is_found() -> None:
    assert {"gateway.dialect.parse.request", "gateway.http.routes", "gateway.identity.auth"} <= set(MODULES)
    assert all(_layer(name) in RANKS for name in MODULES if name != "gateway"), "a gateway package has no layer"


def _upward(name: str, imports: set[str]) -> list[str]:
    own = _layer(name)
    return sorted(
        target for target in imports
        if target.startswith("gateway.") and _layer(target) != own
        and (RANKS[_layer(target)] > RANKS[own] or (own, _layer(target)) in SIBLINGS)
    )  # fmt: skip


def _io(imports: set[str]) -> list[str]:
    return sorted(
        target for target in imports if any(target == b or target.startswith(b + ".") for b in DIALECT_BANNED)
    )


def _later_stage(name: str, imports: set[str]) -> list[str]:
    stage = name.split(".")[2]
    return sorted(
        target for target in imports
        if target.startswith("gateway.dialect.") and target.count(".") >= 3
        and DIALECT_STAGES.get(target.split(".")[2], -1) > DIALECT_STAGES.get(stage, -1)
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != "gateway"))
def test_imports_point_down(name: str) -> None:
    upward = _upward(name, GRAPH[name])
    assert not upward, f"{name} imports a layer above or beside it: {upward}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _layer(n) == "dialect"))
def test_the_dialect_does_no_io(name: str) -> None:
    banned = _io(GRAPH[name])
    assert not banned, f"{name} imports I/O: {banned}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.count(".") >= 3 and _layer(n) == "dialect"))
def test_dialect_stages_point_one_way(name: str) -> None:
    later = _later_stage(name, GRAPH[name])
    assert not later, f"{name} imports a later stage: {later}"


def test_no_import_cycles() -> None:
    """Tarjan's strongly connected components over gateway modules: each must be one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(t for t in GRAPH[node] if t in MODULES and t != node):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in MODULES:
        if name not in index:
            visit(name)
    assert not cycles, f"import cycles: {cycles}"


def test_the_checks_see_a_violation() -> None:
    """The rules flag what they must forbid (a guard against checks that check nothing)."""
    assert "gateway.http.execute" in GRAPH["gateway.http.routes"]
    assert "gateway.dialect.keyset" in GRAPH["gateway.http.routes"]  # `from gateway.dialect import keyset`
    assert _upward("gateway.dialect.plan.action", {"gateway.http.routes"}) == ["gateway.http.routes"]
    assert _upward("gateway.identity.partners", {"gateway.http.execute"}) == ["gateway.http.execute"]
    assert _upward("gateway.dialect.parse.request", {"gateway.identity.auth"}) == ["gateway.identity.auth"]
    assert _upward("gateway.http.routes", {"gateway.dialect.plan.action", "gateway.errors"}) == []
    assert _io({"asyncpg", "os.path", "msgspec"}) == ["asyncpg", "os.path"]
    assert _later_stage("gateway.dialect.parse.select", {"gateway.dialect.plan.nodes"}) == [
        "gateway.dialect.plan.nodes"
    ]
