"""The Blender scene of one sample: describe it (pure Python), then build it (bpy).

    row + Spec + Taxonomy --describe--> scene description (plain JSON data)
    scene description ----build------> the current bpy scene, and camera info

`describe` resolves every number from the taxonomy, so a description needs nothing else: it is
what the worker stores and what a generated standalone script rebuilds from. `build` lives in
the builder modules, which import only bpy, mathutils, math, json, random and each other, so
their source can be inlined into a script (`builder_source()`).

Inlining: the modules of `BUILDER_MODULES` are concatenated in order; a line that imports from
an earlier builder module carries the marker `# psynth:inline` and is dropped, because the names
it imports are already defined above it in the script.
"""

from pathlib import Path
from typing import Any

from psynth_render.scene.axes import NOT_YET_RENDERED, RENDERED_AXES
from psynth_render.scene.description import describe
from psynth_render.scene.motion import camera_at_frame

__all__ = [
    "BUILDER_MODULES",
    "NOT_YET_RENDERED",
    "RENDERED_AXES",
    "build",
    "builder_source",
    "camera_at_frame",
    "configure_device",
    "describe",
    "pose_camera",
    "render_still",
]

_HERE = Path(__file__).resolve().parent

BUILDER_MODULES: tuple[str, ...] = (
    "primitives", "procedural", "shapes", "fluids", "gas_fields", "motion", "surfaces", "patterns", "media", "looks",
    "builder",
)
"""Modules (in psynth_render.scene) whose concatenated source rebuilds a scene, in order."""

INLINE_MARKER = "# psynth:inline"


def builder_source() -> str:
    """The builder modules as one standalone Python source (defines `build`, `render_still`...)."""
    parts = []
    for name in BUILDER_MODULES:
        text = (_HERE / f"{name}.py").read_text(encoding="utf-8")
        kept = [line for line in text.splitlines() if INLINE_MARKER not in line]
        parts.append(f"# ---- psynth_render.scene.{name}\n" + "\n".join(kept))
    return "\n\n".join(parts) + "\n"


def build(desc: dict[str, Any]) -> dict[str, Any]:
    """Make the current bpy scene match `desc`; returns camera info (see builder.build)."""
    from psynth_render.scene import builder

    return builder.build(desc)


def pose_camera(desc: dict[str, Any], frame: int | None = None, frames: int = 1) -> dict[str, Any]:
    """Pose the built scene's camera for `frame` of a `frames`-frame clip (None: the still's
    pose) and return its camera info; for video, call after `build` once per frame."""
    from psynth_render.scene import builder

    return builder.pose_camera(desc, frame, frames)


def configure_device(preference: str) -> str:
    """Pick the Cycles device: 'auto'/'gpu' try OPTIX, CUDA, HIP, METAL, ONEAPI; else CPU."""
    from psynth_render.scene import builder

    return builder.configure_device(preference)


def render_still(desc: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """Build `desc` and render it to `path` (format from the suffix); returns camera info."""
    from psynth_render.scene import builder

    return builder.render_still(desc, str(path))
