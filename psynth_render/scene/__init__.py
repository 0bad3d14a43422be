"""The Blender scene of one sample: describe it (pure Python), then build it (bpy).

    row + Spec + Taxonomy --describe--> Scene     psynth_render.scene.describe.describe
    Scene --------------------build---> bpy       psynth_render.scene.build.builder.build

The functions `describe` and `build` are imported from those modules, not from this package:
here the names are the subpackages (describe/, build/).

`describe` resolves every number from the taxonomy, so a Scene needs nothing else: its JSON is
what the worker stores and what a generated standalone script rebuilds from. `build` lives in
the builder modules, which import only bpy, mathutils, the standard library, the scene model
and each other, so their source can be inlined into a script (`builder_source()`).

Inlining: the modules of `SCRIPT_MODULES` are concatenated in order (the scene model and the
taxonomy's parameter models it extends first); their top-level `from psynth_... import`
statements are dropped, because the names they import are already defined above them.
"""

import ast
from pathlib import Path
from typing import Any

from psynth_render.scene.build.motion import camera_at_frame
from psynth_render.scene.describe import NOT_YET_RENDERED, RENDERED_AXES, Scene, SceneError

__all__ = [
    "BUILDER_MODULES",
    "NOT_YET_RENDERED",
    "RENDERED_AXES",
    "SCRIPT_MODULES",
    "Scene",
    "SceneError",
    "builder_source",
    "camera_at_frame",
    "configure_device",
    "module_path",
    "pose_camera",
    "render_still",
]

_ROOT = Path(__file__).resolve().parent.parent.parent

BUILDER_MODULES: tuple[str, ...] = (
    "vectors", "primitives", "procedural", "assemblies", "shapes", "meshes", "scatter", "fluids", "motion", "framing", "rig_set",
    "camera_optics", "pour_spot",
    "placement", "object_info", "stacking", "render_settings", "material_settings", "medium_settings", "patterns", "gas_fields",
    "surface_details", "surfaces", "media", "post_settings", "looks", "modifier_settings", "topology", "aovs", "stated_objects",
    "builder",
)
"""Modules of psynth_render.scene.build, in the order a script defines them."""

SCRIPT_MODULES: tuple[str, ...] = (
    "psynth_spec.vocabulary",
    "psynth_spec.render_params.base",
    "psynth_spec.render_params.surfaces",
    "psynth_spec.render_params.staging",
    "psynth_spec.render_params.looks",
    "psynth_render.scene.describe.model",
    *(f"psynth_render.scene.build.{name}" for name in BUILDER_MODULES),
)
"""Every module whose source a standalone scene script holds, in order (dotted names)."""


def module_path(dotted: str) -> Path:
    """The source file of one of SCRIPT_MODULES."""
    return _ROOT.joinpath(*dotted.split(".")).with_suffix(".py")


def _without_psynth_imports(text: str) -> str:
    """`text` minus its top-level `from psynth_... import ...` statements (all their lines)."""
    drop: set[int] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("psynth_"):
            drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return "\n".join(line for i, line in enumerate(text.splitlines(), 1) if i not in drop)


def builder_source() -> str:
    """The scene model and builder as one standalone Python source (defines `Scene`, `build`,
    `render_still`...); it needs bpy and pydantic."""
    parts = [f"# ---- {name}\n" + _without_psynth_imports(module_path(name).read_text(encoding="utf-8"))
             for name in SCRIPT_MODULES]
    return "\n\n".join(parts) + "\n"


def pose_camera(desc: Scene, frame: int | None = None, frames: int = 1) -> dict[str, Any]:
    """Pose the built scene's camera for `frame` of a `frames`-frame clip (None: the still's
    pose) and return its camera info; for video, call after `build` once per frame."""
    from psynth_render.scene.build import builder

    return builder.pose_camera(desc, frame, frames)


def configure_device(preference: str) -> str:
    """Pick the Cycles device: 'auto'/'gpu' try OPTIX, CUDA, HIP, METAL, ONEAPI; else CPU."""
    from psynth_render.scene.build import builder

    return builder.configure_device(preference)


def render_still(desc: Scene, path: str | Path) -> dict[str, Any]:
    """Build `desc` and render it to `path` (format from the suffix); returns camera info."""
    from psynth_render.scene.build import builder

    return builder.render_still(desc, str(path))
