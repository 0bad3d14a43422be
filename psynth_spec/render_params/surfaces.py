"""Render parameters of what covers and fills the scene: materials, liquids and their forms,
gases, texture patterns and mappings."""

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from psynth_spec.render_params.base import RGB, NonNeg, Positive, Unit, _Params


# ================================================================ materials
class SurfaceDetail(_Params):
    """Intrinsic surface variation of a material (wood grain, marble veins, weave, brushing).

    Independent of the `texture.pattern` axis: this is what makes wood look like wood. The
    renderer blends `base_color` toward `color` by the pattern's factor times `mix`, and uses
    the factor as a bump of height `bump_strength`.
    pattern -> suggested Blender node: noise -> Noise; bands/rings -> Wave BANDS/RINGS
    (distorted by `distortion`); veins -> Wave BANDS with high distortion, or Noise ridged;
    cells -> Voronoi F1; weave -> Wave BANDS x and y multiplied; brushed -> Noise stretched
    along one axis (scale anisotropic); pores -> Voronoi small scale, used as bump only.

    Signature patterns (psynth_render.scene.build.surface_details): veins = thin dark lines
    (`width`: the share of a band they take, 0..1) along a turbulent field, branching through
    a ridged noise, as marble's; patches = blotches covering about `width` of the surface (rust
    on metal), where the surface also takes `roughness` and `metallic` when they are given.
    """

    pattern: Literal["noise", "bands", "rings", "veins", "cells", "weave", "brushed", "pores", "patches"]
    scale: Positive = 5.0
    distortion: NonNeg = 0.0
    detail: Annotated[float, Field(ge=0.0, le=15.0)] = 2.0
    color: RGB | None = None
    mix: Unit = 0.5
    bump_strength: Unit = 0.0
    width: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    roughness: Unit | None = None
    metallic: Unit | None = None


class MaterialParams(_Params):
    """A Principled BSDF. Field -> socket: base_color -> Base Color, metallic, roughness, ior ->
    IOR, specular_tint -> Specular Tint (for metals: the F82 edge tint), transmission ->
    Transmission Weight, subsurface -> Subsurface Weight, subsurface_radius -> Subsurface
    Radius (scene units; Subsurface Scale = 1), sheen -> Sheen Weight, sheen_tint, coat ->
    Coat Weight, coat_roughness, anisotropy -> Anisotropic, anisotropic_rotation,
    emission_color / emission_strength, thin_film_thickness (nm) / thin_film_ior, alpha.

    `ior` is the dielectric IOR (real value for glass, water, plastics, stones...). For metals
    (metallic = 1) the reflectance comes from base_color (F0) and specular_tint (edge); `ior`
    then holds a nominal value and only matters where the `material.ior` axis overrides it.
    """

    kind: Literal["surface"] = "surface"
    base_color: RGB
    metallic: Unit = 0.0
    roughness: Unit
    ior: Annotated[float, Field(ge=1.0, le=3.0)]
    specular_tint: RGB = (1.0, 1.0, 1.0)
    transmission: Unit = 0.0
    subsurface: Unit = 0.0
    subsurface_radius: tuple[NonNeg, NonNeg, NonNeg] = (0.1, 0.05, 0.025)
    subsurface_color: RGB | None = None
    sheen: Unit = 0.0
    sheen_tint: RGB = (1.0, 1.0, 1.0)
    sheen_roughness: Unit = 0.5
    coat: Unit = 0.0
    coat_roughness: Unit = 0.03
    anisotropy: Unit = 0.0
    anisotropic_rotation: Unit = 0.0
    emission_color: RGB | None = None
    emission_strength: NonNeg = 0.0
    thin_film_thickness: Annotated[float, Field(ge=0.0, le=100000.0)] = 0.0
    thin_film_ior: Annotated[float, Field(ge=1.0, le=3.0)] = 1.33
    alpha: Unit = 1.0
    detail: SurfaceDetail | None = None
    palette_weight: Unit | None = None
    """How far the colour palette may recolour this material (None: by its saturation); a
    material whose identity is its colour (white marble, grey granite) sets it low."""

    @model_validator(mode="after")
    def _emission(self) -> "MaterialParams":
        if self.emission_strength > 0 and self.emission_color is None:
            raise ValueError("emission_strength > 0 needs emission_color")
        return self


# ================================================================ liquids
class NoLiquid(_Params):
    """`liquids.none`: no liquid in the scene."""

    kind: Literal["none"]


class LiquidParams(_Params):
    """A liquid body's look and physics.

    Surface: `color` is the surface/base tint, `roughness`, `ior`, `transmission` (1 = clear,
    0 = opaque like paint). Volume inside: Beer-Lambert absorption of `absorption_color` at
    `absorption_density` (per scene unit), scattering of `scattering_color` at
    `scattering_density` (per scene unit) with Henyey-Greenstein `scattering_anisotropy`
    (milk: high scattering). `subsurface` / `subsurface_radius` are the cheap alternative to
    the scattering volume (Principled subsurface). Physics for the form geometry:
    `viscosity` (Pa·s, dynamic), `density` (kg/m³), `surface_tension` (N/m).
    """

    kind: Literal["liquid"]
    color: RGB
    ior: Annotated[float, Field(ge=1.0, le=2.5)]
    viscosity: Annotated[float, Field(ge=0.0001, le=1000.0)]
    density: Annotated[float, Field(ge=500.0, le=20000.0)] = 1000.0
    surface_tension: Annotated[float, Field(ge=0.0, le=0.5)] = 0.072
    roughness: Unit = 0.0
    transmission: Unit = 1.0
    absorption_color: RGB = (1.0, 1.0, 1.0)
    absorption_density: NonNeg = 0.0
    scattering_color: RGB = (1.0, 1.0, 1.0)
    scattering_density: NonNeg = 0.0
    scattering_anisotropy: Annotated[float, Field(ge=-1.0, le=1.0)] = 0.0
    subsurface: Unit = 0.0
    subsurface_radius: tuple[NonNeg, NonNeg, NonNeg] = (0.1, 0.1, 0.1)
    metallic: Unit = 0.0
    coat: Unit = 0.0
    thin_film_thickness: Annotated[float, Field(ge=0.0, le=100000.0)] = 0.0
    """nm of an iridescent film on the surface (oil's sheen); 0 = none."""


Liquid = Annotated[Union[NoLiquid, LiquidParams], Field(discriminator="kind")]


class LiquidFormParams(_Params):
    """The geometry a liquid takes. Sizes in object radii, relative to the subject.

    pool: a flat puddle of radius `extent` under/around the subject, thickness `height`;
    splash: a crown of height `height` with `droplets` flying drops; drip: `droplets` drops
    hanging/falling from the subject, length `height`; pour: a stream of radius `stream_radius`
    falling from `height` onto the subject/pool; ripple: a pool with `rings` concentric waves of
    `amplitude`; droplets: `droplets` beads scattered on the subject's surface; coating: a
    shell of thickness `thickness` over the subject's upper part that sags by `height`.
    Viscosity (the `liquid.viscosity` axis) scales these: thin liquids spread wider, splash
    higher and ripple more; thick ones pile up and sag (the renderer's rule, not stored here).
    """

    form: Literal["pool", "splash", "drip", "pour", "ripple", "droplets", "coating"]
    extent: Positive = 1.5
    height: NonNeg = 0.05
    thickness: NonNeg = 0.03
    droplets: Annotated[int, Field(ge=0, le=500)] = 0
    rings: Annotated[int, Field(ge=0, le=50)] = 0
    amplitude: NonNeg = 0.0
    stream_radius: NonNeg = 0.0


# ================================================================ gases
class NoGas(_Params):
    """`gases.none`: no volume in the scene."""

    kind: Literal["none"]


class GasParams(_Params):
    """A volume (Principled Volume). The `gas.density` axis (0..1) times `density_scale` is the
    volume's density. `shape`: fill = fills the whole scene (fog, haze); layer = a ground layer
    of height `height`; plume = a rising column above/behind the subject; blob = a cloud-like
    mass of radius `extent`. Noise (`noise_scale`, `noise_detail`, `noise_contrast`) breaks up
    the density. Fire: `blackbody_kelvin` with `blackbody_intensity`, plus `emission_strength`
    of `emission_color`; such a volume lights the scene.

    `look` gives the density its signature (psynth_render.scene.build.gas_fields): plain = shape
    falloff x noise; flame = tapering tongues whose blackbody temperature falls from
    `blackbody_kelvin` at the core to `tip_kelvin` at the tips, emitting `blackbody_intensity`;
    billow = a widening lumpy plume; wisps = thin rising streaks; cloud = a lumpy ball with a
    flat base; fireball = a cloud with a burning core; ground = a layer thinning exponentially
    over `height`; particulate = a thin fill with fine specks (noise_scale = specks per unit);
    aerial = haze: clear up to just behind the subject, thickening over `extent` camera distances
    beyond it to `edge_gain` x the density (far things fade and grey, the subject stays clear).
    `offset` places a plume's foot (x, y, height above the floor) or a blob's centre (x, y, z
    from the subject's centre) in object radii, +Y being behind the subject from the default
    camera. `stretch` makes noise features that many times taller than wide, `turbulence`
    pushes rising gas sideways (object radii at the top), `widen` is how much a plume widens
    per height, `edge_gain` sharpens the field's edges (or, for particulate, the specks' weight).
    """

    kind: Literal["volume"]
    shape: Literal["fill", "layer", "plume", "blob"]
    density_scale: Positive
    color: RGB
    absorption_color: RGB = (0.0, 0.0, 0.0)
    anisotropy: Annotated[float, Field(ge=-1.0, le=1.0)] = 0.0
    emission_color: RGB | None = None
    emission_strength: NonNeg = 0.0
    blackbody_kelvin: Annotated[float, Field(ge=500.0, le=20000.0)] | None = None
    blackbody_intensity: NonNeg = 0.0
    noise_scale: Positive = 2.0
    noise_detail: Annotated[float, Field(ge=0.0, le=15.0)] = 2.0
    noise_contrast: Unit = 0.5
    extent: Positive = 1.5
    height: Positive = 1.0
    look: Literal["plain", "flame", "billow", "wisps", "cloud", "fireball", "ground", "particulate", "aerial"] = "plain"
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    tip_kelvin: Annotated[float, Field(ge=500.0, le=20000.0)] | None = None
    stretch: Positive = 1.0
    turbulence: NonNeg = 0.0
    widen: NonNeg = 0.6
    edge_gain: Positive = 3.0

    @property
    def emits(self) -> bool:
        return self.emission_strength > 0 or (
            self.blackbody_kelvin is not None and self.blackbody_intensity > 0
        )


Gas = Annotated[Union[NoGas, GasParams], Field(discriminator="kind")]

# ================================================================ textures and mappings
class TextureParams(_Params):
    """A pattern on the subject's surface, driven by the `texture.scale` axis (the node's Scale)
    and projected by the `texture.mapping` axis. `node: none` = no pattern.

    The node's scalar output (Fac/Distance) is optionally stepped (`threshold`: factor >=
    threshold -> 1, else 0; `steps`: quantized into that many levels) and maps through the
    colour ramp `colors` (2+ stops, evenly spaced); the result is combined with the material's
    base colour by `blend` at strength `mix`, and optionally bumps the surface by `bump_strength`.
    checker uses colors[0] and [1] as Color1/Color2; brick uses colors[0] as the mortar and
    [1], [2] as the two brick colours. Node-specific fields use Blender's identifiers; toon_ramp = a stepped ramp over a smooth
    field (gradient/noise); halftone = dots of radius ~ tone on a grid of `dot_cells` per unit
    (screen- or object-space, per the mapping).
    """

    node: Literal[
        "none", "noise", "voronoi", "wave", "checker", "brick", "magic", "gradient", "gabor",
        "toon_ramp", "halftone",
    ]
    colors: tuple[RGB, ...] = ()
    blend: Literal["mix", "multiply", "overlay"] = "mix"
    mix: Unit = 1.0
    bump_strength: Unit = 0.0
    threshold: Unit | None = None
    steps: Annotated[int, Field(ge=2, le=16)] | None = None
    invert: bool = False
    # noise / voronoi / wave detail
    detail: Annotated[float, Field(ge=0.0, le=15.0)] = 2.0
    roughness: Unit = 0.5
    lacunarity: Annotated[float, Field(ge=0.0, le=8.0)] = 2.0
    distortion: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0
    noise_type: Literal[
        "FBM", "MULTIFRACTAL", "RIDGED_MULTIFRACTAL", "HYBRID_MULTIFRACTAL", "HETERO_TERRAIN"
    ] = "FBM"
    voronoi_feature: Literal["F1", "F2", "SMOOTH_F1", "DISTANCE_TO_EDGE", "N_SPHERE_RADIUS"] = "F1"
    voronoi_distance: Literal["EUCLIDEAN", "MANHATTAN", "CHEBYCHEV", "MINKOWSKI"] = "EUCLIDEAN"
    randomness: Unit = 1.0
    wave_type: Literal["BANDS", "RINGS"] = "BANDS"
    wave_direction: Literal["X", "Y", "Z", "DIAGONAL", "SPHERICAL"] = "X"
    wave_profile: Literal["SIN", "SAW", "TRI"] = "SIN"
    magic_depth: Annotated[int, Field(ge=0, le=10)] = 2
    gradient_type: Literal[
        "LINEAR", "QUADRATIC", "EASING", "DIAGONAL", "SPHERICAL", "QUADRATIC_SPHERE", "RADIAL"
    ] = "LINEAR"
    brick_mortar_size: Annotated[float, Field(ge=0.0, le=0.125)] = 0.02
    brick_offset: Unit = 0.5
    brick_width: Positive = 0.5
    brick_row_height: Positive = 0.25
    gabor_frequency: Positive = 2.0
    gabor_anisotropy: Unit = 1.0
    dot_cells: Positive = 1.0

    @model_validator(mode="after")
    def _colors(self) -> "TextureParams":
        if self.node != "none" and len(self.colors) < 2:
            raise ValueError("a pattern needs at least two colors")
        if self.node in ("toon_ramp",) and self.steps is None:
            raise ValueError("toon_ramp needs steps")
        return self


class MappingParams(_Params):
    """Texture coordinates: `coordinates` is the Texture Coordinate output used (UV, GENERATED,
    OBJECT, WINDOW = screen space, CAMERA); `projection` wraps them: FLAT (as is), BOX
    (tri-planar, edge `blend`), SPHERE / TUBE (spherical / cylindrical around the object's Z)."""

    coordinates: Literal["UV", "GENERATED", "OBJECT", "WINDOW", "CAMERA"]
    projection: Literal["FLAT", "BOX", "SPHERE", "TUBE"] = "FLAT"
    blend: Unit = 0.0
