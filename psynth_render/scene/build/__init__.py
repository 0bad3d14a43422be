"""The Blender side of the scene: a typed Scene (psynth_render.scene.describe.model) -> bpy.

The only bpy code of psynth_render.scene. `builder.build` adds each element of the Scene by
dispatching on its type; the other modules make meshes (primitives, procedural, shapes,
fluids), node trees (surfaces, patterns, looks, media) and camera poses (motion, pure math).
Import the submodules, not this package, for what needs bpy.
"""
