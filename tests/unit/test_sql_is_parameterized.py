"""Every SQL statement is parameterized: its text is fixed when the module is imported, and
every value travels as a $n parameter.

The check reads the source: wherever a statement is handed to asyncpg (execute, executemany,
fetch, fetchrow, fetchval), it must be a string literal, a module-level constant (or an item or
attribute of one, e.g. `sql.ERASE_STUDENT`, `_SERIES[key]`), or a local variable assigned only
such values. Text built at call time (f-strings, `%`, `.format()`, `+`, function calls) fails,
unless the line says `# static SQL: <why>` (SQL files shipped with the package).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL_METHODS = {"execute", "executemany", "fetch", "fetchrow", "fetchval"}
PRAGMA = "# static SQL:"
SOURCES = sorted(
    p
    for package in ("domain", "application", "adapters", "entrypoints")
    for p in (ROOT / package).glob("**/*.py")
)


class _Checker(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, lines: list[str]) -> None:
        self.lines = lines
        self.module_names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        self.imported = {
            (alias.asname or alias.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        self.locals: dict[str, list[ast.expr]] = {}
        self.found: list[tuple[int, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer = self.locals
        self.locals = {}
        for child in ast.walk(node):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    if isinstance(target, ast.Name):
                        self.locals.setdefault(target.id, []).append(child.value)
        self.generic_visit(node)
        self.locals = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_METHODS
            and node.args
            and not self.fixed(node.args[0], set())
            and PRAGMA not in self.lines[node.lineno - 1]
        ):
            self.found.append((node.lineno, ast.unparse(node.args[0])))
        self.generic_visit(node)

    def fixed(self, node: ast.expr, seen: set[str]) -> bool:
        """True when `node` can only hold text fixed at import time."""
        match node:
            case ast.Constant(value=str()):
                return True
            case ast.Name(id=name) if name in self.locals and name not in seen:
                return all(self.fixed(v, seen | {name}) for v in self.locals[name])
            case ast.Name(id=name):
                return name in self.module_names
            case ast.Attribute(value=ast.Name(id=module), attr=attr):
                return module in self.imported and attr.lstrip("_").isupper()
            case ast.Subscript(value=container):
                return self.fixed(container, seen)
            case ast.IfExp(body=body, orelse=orelse):
                return self.fixed(body, seen) and self.fixed(orelse, seen)
        return False


def violations(source: str) -> list[tuple[int, str]]:
    checker = _Checker(ast.parse(source), source.splitlines())
    checker.visit(ast.parse(source))
    return checker.found


def test_the_adapters_are_checked() -> None:
    assert any(p.match("adapters/postgres/*.py") for p in SOURCES)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_is_built_at_call_time(path: Path) -> None:
    assert violations(path.read_text()) == []


def test_the_check_catches_sql_built_at_call_time() -> None:
    bad = (
        "async def f(conn, name, limit):\n"
        "    await conn.fetch(f\"SELECT * FROM t WHERE name = '{name}'\")\n"
        "    await conn.execute('DELETE FROM t WHERE id = %s' % name)\n"
        "    q = 'SELECT ' + name\n"
        "    await conn.fetchval(q)\n"
        "    await conn.fetchrow('SELECT 1 LIMIT {}'.format(limit))\n"
        "    await conn.fetch(build(limit))\n"
    )
    assert [line for line, _ in violations(bad)] == [2, 3, 5, 6, 7]
    good = (
        "from adapters.postgres import recording_sql as sql\n"
        "Q = 'SELECT $1'\n"
        "SERIES = {True: Q, False: 'SELECT 2'}\n"
        "async def f(conn, flag):\n"
        "    text = SERIES[flag] if flag else Q\n"
        "    await conn.fetch(Q, 1)\n"
        "    await conn.fetch(text)\n"
        "    await conn.execute(sql.ERASE_STUDENT, 1)\n"
        "    await conn.execute(migration.sql)  # static SQL: a file of the package\n"
    )
    assert violations(good) == []
