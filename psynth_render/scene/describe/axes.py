"""Which registry axes the scene builder puts on screen, and which it does not yet.

Every registry axis is in exactly one of the two sets (a test holds the registry to this), so a
new axis cannot be silently ignored: it must be rendered or declared not yet rendered.
"""

RENDERED_AXES: frozenset[str] = frozenset(
    {
        "camera.focal_length",
        "camera.fstop",
        "camera.dof",
        "camera.angle",
        "camera.distance",
        "camera.movement",
        "camera.lens",
        "camera.framing",
        "lighting.setup",
        "lighting.kelvin",
        "lighting.exposure",
        "lighting.key_azimuth",
        "lighting.hdri_rotation",
        "lighting.hdri_strength",
        "lighting.hdri",
        "material",
        "material.roughness",
        "material.ior",
        "material.subsurface",
        "geometry.shape",
        "geometry.asset",
        "geometry.detail",
        "geometry.proportion",
        "geometry.subdivision",
        "geometry.rotation",
        "render.engine",
        "render.samples",
        "scene.background",
        "scene.objects",
        "texture.pattern",
        "texture.scale",
        "texture.mapping",
        "liquid",
        "liquid.viscosity",
        "liquid.form",
        "gas",
        "gas.density",
        "post.bloom",
        "post.vignette",
        "post.grain",
        "post.chromatic_aberration",
        "post.grade",
        "style",
        "color.harmony",
        "color.base_hue",
        "color.mood",
    }
)

NOT_YET_RENDERED: frozenset[str] = frozenset()
"""Empty: every registry axis is on screen (kept so a new axis can be declared here first)."""
