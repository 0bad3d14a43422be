"""The modules a scene script inlines (psynth_render.scene.SCRIPT_MODULES) are concatenated
into one namespace, so two of them defining the same top-level name would silently replace one
definition with the other (a `_lift` in stacking once broke motion's camera lift)."""

import ast

from psynth_render.scene import SCRIPT_MODULES, module_path


def _top_level_names(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_inlined_modules_define_distinct_top_level_names():
    owner: dict[str, str] = {}
    clashes = []
    for module in SCRIPT_MODULES:
        for name in _top_level_names(module_path(module).read_text(encoding="utf-8")):
            if name in owner and name != "__all__":
                clashes.append((name, owner[name], module))
            owner.setdefault(name, module)
    assert not clashes, clashes
