"""The render settings of a scene as bpy property assignments: one table, two users.

    HOUSE_SETTINGS                          psynth's fixed conventions, the same for every sample
    render_assignments(render) -> [(group, [(bpy path, value), ...]), ...]   what a sample chose
    apply_assignments(scene, assignments)   sets them on a bpy scene

The builder applies both to the scene (`builder.render_settings`); a scene script writes the
sample's table as literal `bpy_scene.<path> = value` lines (scene_code_parts), so the two
cannot drift apart, while the house settings stay in the shard's helper (written in every
script they would be text all scripts share). Pure data (no bpy import): a path is relative to
the bpy scene (`render.engine`, `cycles.samples`, `view_settings.look`). The exposure is the
lighting's, set with the world. Library code that needs the engine or the frame size reads them
back from the bpy scene (`scene.render.engine`, `resolution_x`), so a script states each value
once.
"""

HOUSE_SETTINGS = [
    ("the frame at full size, opaque; the BVH and shaders kept warm between samples", [
        ("render.resolution_percentage", 100),
        ("render.film_transparent", False),
        ("render.use_persistent_data", True),
    ]),
    ("colour management: AgX, no look, no gamma change (the exposure is the lighting's)", [
        ("view_settings.view_transform", "AgX"),
        ("view_settings.look", "None"),
        ("view_settings.gamma", 1.0),
    ]),
    ("a fixed noise pattern per seed", [("cycles.use_animated_seed", False)]),
]
"""Settings every psynth render shares (applied before a sample's own, stated or not)."""

WORKBENCH_AA = (5, 8, 11, 16, 32)
"""Workbench's anti-aliasing sample counts (the largest that fits the budget is used)."""


def render_assignments(render):
    """(comment, [(path, value)]) groups that make the bpy scene render as `render` says."""
    groups = [
        (f"the engine and the frame: {render.width} x {render.height} px", [
            ("render.engine", render.engine),
            ("render.resolution_x", render.width),
            ("render.resolution_y", render.height),
        ]),
    ]
    if render.engine == "CYCLES":
        groups.append((f"Cycles: {render.samples} samples, seed {render.seed}, light bounces", [
            ("cycles.samples", render.samples),
            ("cycles.seed", render.seed),
            ("cycles.use_denoising", bool(render.denoise)),
            ("cycles.max_bounces", render.max_bounces),
            ("cycles.diffuse_bounces", render.diffuse_bounces),
            ("cycles.glossy_bounces", render.glossy_bounces),
            ("cycles.transmission_bounces", render.transmission_bounces),
            ("cycles.volume_bounces", render.volume_bounces),
        ]))
    elif render.engine == "BLENDER_EEVEE":
        groups.append((f"EEVEE: {render.samples} samples", [
            ("eevee.taa_render_samples", render.samples),
            ("eevee.use_raytracing", bool(render.eevee_raytracing)),
        ]))
    else:
        fitting = [n for n in WORKBENCH_AA if n <= render.samples]
        comment = f"Workbench: {render.workbench_lighting} lighting, anti-aliasing within {render.samples} samples"
        groups.append((comment, [
            ("display.shading.light", render.workbench_lighting),
            ("display.shading.color_type", render.workbench_color),
            ("display.render_aa", str(fitting[-1]) if fitting else "OFF"),
        ]))
    return groups


def apply_assignments(scene, assignments):
    """Set every (path, value) of `render_assignments` groups on the bpy `scene`."""
    for _, pairs in assignments:
        for path, value in pairs:
            owner_path, _, attribute = path.rpartition(".")
            owner = scene
            for part in owner_path.split("."):
                owner = getattr(owner, part)
            setattr(owner, attribute, value)
