"""The describe side of the scene: samples row + Spec + Taxonomy -> typed `Scene` (pure
Python, no bpy; `psynth_render.scene.build` is the Blender side)."""

from psynth_render.scene.describe.axes import NOT_YET_RENDERED, RENDERED_AXES
from psynth_render.scene.describe.from_row import SceneError, describe
from psynth_render.scene.describe.model import Scene

__all__ = ["NOT_YET_RENDERED", "RENDERED_AXES", "Scene", "SceneError", "describe"]
