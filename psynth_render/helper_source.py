"""The shard's helper module's source: the inlined model and builder less what no script reaches.

    used_source(source, roots, cut) -> str

A scene script calls a few helper names (`build`, `render`, the model's classes, the helpers its
bpy functions use); they call others, and so on. `used_source` keeps the top-level statements
those names reach (the functions, classes and assignments named, transitively; a
`@f.register` function goes with `f`; imports and other statements always) with the comment
lines right above each, and drops the rest: the worker's metadata and device code, the
describe-time parameter models, module docstrings. The builder's own versions of the steps a
script states in bpy (`cut`: render settings, lens, materials, lamps, world) become stubs that
fail clearly, so what only they used goes too. Names are found by ast (a Name node, or a string
that is an identifier: forward references), so nothing is dropped that the code can reach by
name; the inlined modules define distinct top-level names (tests/test_builder_inlining.py).
"""

import ast
from collections.abc import Iterable

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _defined(node: ast.stmt) -> set[str] | None:
    """Names a def, class or assignment defines; None for any other statement (always kept)."""
    if isinstance(node, _DEFINITIONS):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return set()  # a module or attribute docstring: dropped
    return None


def _referenced(node: ast.AST) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.isidentifier():
            out.add(n.value)
    return out


def _registers_with(node: ast.stmt) -> str | None:
    """`f` for a function decorated `@f.register` (singledispatch): it is kept when `f` is."""
    for decorator in getattr(node, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "register" and isinstance(target.value, ast.Name):
            return target.value.id
    return None


def _stub(name: str) -> str:
    return (f"def {name}(*args, **kwargs):\n"
            f'    """Left out of this helper: the scene scripts state this step in bpy."""\n'
            f"    raise RuntimeError({name!r} + ' is not in __psynth_scene__: the scene script states this step')\n")


def used_source(source: str, roots: Iterable[str], cut: Iterable[str] = ()) -> str:
    """`source` less the top-level definitions `roots` do not reach; names in `cut` become stubs."""
    cut = set(cut)
    lines = source.splitlines()
    body = ast.parse(source).body
    defined = [_defined(node) for node in body]
    keep, kept = set(roots), set()
    changed = True
    while changed:
        changed = False
        for i, node in enumerate(body):
            names = defined[i]
            if i in kept or (names is not None and (not names or names & cut)):
                continue
            if names is None or names & keep or _registers_with(node) in keep:
                kept.add(i)
                keep |= _referenced(node) | (names or set())
                changed = True
    parts = []
    for i, node in enumerate(body):
        if i not in kept:
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1  # the comments right above it
        parts.append("\n".join(lines[start:node.end_lineno]))
    stubs = [_stub(name) for name in sorted(cut & keep)]
    return "\n\n\n".join(parts + stubs) + "\n"
