"""Python source for the parts of a Scene: one constructor call per element, values as literals.

    literal(value) -> str          a Python literal (repr of str/int/float/bool/None, lists, dicts)
    constructor(model) -> str      `ps.Material(concept='clay', roughness=0.5, ...)`, nested
    section(element, name) -> str  a comment naming the element's concepts + `name = constructor`

Every value from a sample becomes code only through `literal`, which writes repr of plain
scalars (a Python string literal evaluates to exactly that string, whatever it holds) and checks
the result with `ast.literal_eval`; comments hold only concept names that pass a strict
character filter, so no text from a spec or a sample is ever pasted into code.

Fields equal to their model default are left out (the script shows what this sample chose).
`comment` dispatches on the element's type like the builder's `add`: a new element kind or
look needs no code here to be written (every pydantic model is a constructor call), and one
`comment.register` function to get a readable summary line.
"""

import ast
import functools
import math
import re
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from psynth_render.scene.describe.model import (
    Backdrop, CameraRig, Colour, GasEffect, Lighting, LiquidEffect, Post, RenderSettings, SceneObject, Style,
)

MODULE = "ps"
"""The name the script imports the shared helper module as."""

WIDTH = 96
"""A list or dict longer than this on one line is written one item per line."""

_COMMENT_SAFE = re.compile(r"[A-Za-z0-9 _.,:;/+()%-]{1,80}", re.ASCII)


def literal(value: Any, indent: int = 0) -> str:
    """Python source that evaluates to `value` (JSON-like data); checked with ast.literal_eval."""
    text = _literal(value, indent)
    if ast.literal_eval(text) != value:
        raise ValueError(f"cannot write {value!r} as a literal")
    return text


def _literal(value: Any, indent: int) -> str:
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a scene value is not finite: {value!r}")
        return repr(value)
    if isinstance(value, (list, tuple)):
        items = [_literal(v, indent + 4) for v in value]
        open_, close = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        if isinstance(value, tuple) and len(items) == 1:
            items[0] += ","
        return _wrap(open_, items, close, indent)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError("scene dicts have string keys")
        items = [f"{k!r}: {_literal(v, indent + 4)}" for k, v in value.items()]
        return _wrap("{", items, "}", indent)
    raise ValueError(f"a scene value of type {type(value).__name__} has no literal form")


def _wrap(open_: str, items: list[str], close: str, indent: int) -> str:
    """One line when it fits; else plain items filled line by line, nested ones one per line."""
    one_line = open_ + ", ".join(items) + close
    if len(one_line) + indent <= WIDTH and "\n" not in one_line:
        return one_line
    pad = " " * (indent + 4)
    if not any("\n" in item or item.split(": ", 1)[-1].startswith(("[", "(", "{")) for item in items):
        lines = [""]
        for item in items:
            if lines[-1] and len(pad) + len(lines[-1]) + len(item) + 2 > WIDTH:
                lines.append("")
            lines[-1] += f"{item}, "
        return open_ + "\n" + "".join(f"{pad}{line.rstrip()}\n" for line in lines) + " " * indent + close
    return open_ + "\n" + "".join(f"{pad}{item},\n" for item in items) + " " * indent + close


def at_default(model: BaseModel, name: str) -> bool:
    """Whether the field `name` of `model` holds its default (a required field never does)."""
    default = type(model).model_fields[name].get_default(call_default_factory=True)
    return default is not PydanticUndefined and getattr(model, name) == default


def constructor(model: BaseModel, indent: int = 0) -> str:
    """`ps.Class(field=..., ...)` for a scene model, fields equal to their default left out."""
    fields = []
    for name in type(model).model_fields:
        if at_default(model, name):
            continue
        value = getattr(model, name)
        fields.append(f"{name}={value_source(value, indent + 4)}")
    head = f"{MODULE}.{type(model).__name__}("
    if not fields:
        return head + ")"
    one_line = head + ", ".join(fields) + ")"
    if indent and len(one_line) + indent <= WIDTH and "\n" not in one_line:
        return one_line  # a small nested part
    return head + "\n" + "".join(filled(fields, indent + 4)) + " " * indent + ")"


def filled(items: list[str], indent: int) -> list[str]:
    """Lines of `items` (each followed by a comma): short ones share a line up to WIDTH, an item
    spanning lines stands alone."""
    pad, lines, current = " " * indent, [], ""
    for item in items:
        if "\n" in item or (current and indent + len(current) + len(item) + 2 > WIDTH):
            if current:
                lines.append(current)
            current = ""
        if "\n" in item:
            lines.append(item + ",")
        else:
            current += (" " if current else "") + item + ","
    if current:
        lines.append(current)
    return [f"{pad}{line}\n" for line in lines]


def value_source(value: Any, indent: int = 0) -> str:
    """Source for a field's value: models as constructor calls, lists of models as lists of them."""
    if isinstance(value, BaseModel):
        return constructor(value, indent)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, BaseModel) for v in value):
        pad = " " * (indent + 4)
        return "[\n" + "".join(f"{pad}{constructor(v, indent + 4)},\n" for v in value) + " " * indent + "]"
    return literal(value, indent)


def section(element: BaseModel, name: str) -> str:
    """One concept of the scene: its comment line and `name = ps.Class(...)`."""
    summary = comment(element)
    head = f"# {name}: {summary}\n" if summary else f"# {name}\n"
    one_line = f"{name} = {constructor(element, len(name) + 3)}"  # a short part: on one line
    return head + (one_line if "\n" not in one_line else f"{name} = {constructor(element)}") + "\n"


def safe_words(*parts: Any) -> str:
    """Concept names and numbers for a comment; anything outside a plain character set is dropped."""
    words = [str(p) for p in parts if p is not None and p != ""]
    return ", ".join(w for w in words if _COMMENT_SAFE.fullmatch(w))


@functools.singledispatch
def comment(element: Any) -> str:
    """A one-line summary of an element's concepts (plain words only; see safe_words)."""
    return safe_words(getattr(element, "concept", None))


@comment.register
def _object(element: SceneObject) -> str:
    geo, texture = element.geometry, element.texture
    pattern = f"{texture.concept} pattern" if texture is not None and texture.node != "none" else None
    material = "the material: add_materials" if element.material is None else f"{element.material.concept} material"
    shape = f"{geo.concept}, the shape: add_objects" if geo.generator is None else f"{geo.concept} ({geo.generator})"
    return safe_words(shape, material, pattern)


@comment.register
def _liquid(element: LiquidEffect) -> str:
    return safe_words(f"{element.concept} liquid", f"{element.form.concept} form")


@comment.register
def _gas(element: GasEffect) -> str:
    return safe_words(f"{element.concept} volume", f"density {element.density:g}")


@comment.register
def _backdrop(element: Backdrop) -> str:
    return safe_words(element.concept, f"{element.kind} backdrop")


@comment.register
def _lighting(element: Lighting) -> str:
    return safe_words(element.concept, f"{element.kelvin:.0f} K", "the world (the lamps: add_lights)")


@comment.register
def _camera(element: CameraRig) -> str:
    view = element.main
    lens = "the lens: set_camera" if view.lens is None else f"{view.lens.concept} lens, {view.focal_length:.0f} mm"
    return safe_words(view.angle, f"{view.movement.concept} move", lens)


@comment.register
def _render(element: RenderSettings) -> str:
    return safe_words(element.engine, f"{element.samples} samples", f"{element.width}x{element.height}")


@comment.register
def _post(element: Post) -> str:
    return safe_words(f"{element.grade.concept} grade", f"bloom {element.bloom:g}", f"vignette {element.vignette:g}")


@comment.register
def _style(element: Style) -> str:
    return safe_words(f"{element.concept} style")


@comment.register
def _colour(element: Colour) -> str:
    return safe_words(f"{element.harmony} harmony", f"{element.mood} mood")
