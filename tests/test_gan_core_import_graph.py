"""gan_core's modules import each other without circles (lazy imports inside functions count too)."""
import ast
from pathlib import Path

from tests import app_paths

ROOT = Path(app_paths.ROOT)


def module_files() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "gan_core").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """gan_core modules `name` imports anywhere except under `if __name__ == "__main__":`."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node):
            test = node.test
            if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__":
                return  # a script entry point, not an import of the module
            self.generic_visit(node)

        def visit_Import(self, node):
            found.update(a.name for a in node.names)

        def visit_ImportFrom(self, node):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            for a in node.names:  # `from pkg import submodule` imports the submodule
                found.add(f"{module}.{a.name}" if f"{module}.{a.name}" in known else module)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in known and m != name}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(u):
        state[u] = "open"
        stack.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == "open":
                found.append(stack[stack.index(v):] + [v])
            elif v not in state:
                visit(v)
        stack.pop()
        state[u] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return found


def test_no_import_circles_in_gan_core():
    files = module_files()
    graph = {name: imports_of(name, path, set(files)) for name, path in files.items()}
    assert graph["gan_core.cgan.checkpoint"] >= {"gan_core.cgan.judge"}
    assert circles(graph) == []


def test_the_circle_finder_finds_one():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]
