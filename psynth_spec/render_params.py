"""Typed render parameters of taxonomy concepts, one pydantic model family per axis domain.

Every LEAF of a categorical axis's domain carries a `render:` mapping in YAML; this module says
what that mapping must hold and validates it on load, so the renderer can trust it.
`render_params(taxonomy, "materials.metal.gold")` returns the validated model instance.

Conventions (stable: the scene and render code reads these names):
- colours are linear RGB triples in 0..1 (scene-referred, not sRGB);
- lengths are in scene units where the subject fits in a sphere of radius 1 ("object radii");
- angles are degrees; azimuths are measured about +Z from the key light's azimuth
  (the `lighting.key_azimuth` axis), so rotating the key rotates the whole rig and the sun;
- enum values that map 1:1 to a Blender enum use Blender's identifier (`"PERSP"`, `"CYCLES"`,
  `"FISHEYE_EQUISOLID"`, `"MULTIPLE_SCATTERING"`, `"RIDGED_MULTIFRACTAL"`...).

Domain keys are the categorical axes' domains: `materials`, `liquids`, `liquid_forms`, `gases`,
`lighting`, `camera.angles`, `camera.movements`, `camera.lenses`, `textures`, `mappings`,
`geometry`, `rendering.engines`, `post.grades`, `styles`, `color.harmonies`, `color.moods`,
`backgrounds`.
"""

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from psynth_spec.errors import TaxonomyError

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
RGB = tuple[Unit, Unit, Unit]
"""Linear RGB, each channel 0..1."""
Kelvin = Annotated[float, Field(ge=1000.0, le=20000.0)]


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


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
    """

    pattern: Literal["noise", "bands", "rings", "veins", "cells", "weave", "brushed", "pores"]
    scale: Positive = 5.0
    distortion: NonNeg = 0.0
    detail: Annotated[float, Field(ge=0.0, le=15.0)] = 2.0
    color: RGB | None = None
    mix: Unit = 0.5
    bump_strength: Unit = 0.0


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

    @property
    def emits(self) -> bool:
        return self.emission_strength > 0 or (
            self.blackbody_kelvin is not None and self.blackbody_intensity > 0
        )


Gas = Annotated[Union[NoGas, GasParams], Field(discriminator="kind")]


# ================================================================ lighting
class Light(_Params):
    """One light of a rig. Position: azimuth = key azimuth + `azimuth_offset_deg`, elevation,
    `distance` from the subject's centre (object radii), aimed at the subject.
    `power` is W for area/point/spot and W/m² (Blender "strength") for sun. `size`: area side
    (or disk diameter), point/spot radius, sun angular diameter in degrees.
    Colour: `color` (explicit linear RGB, e.g. neon tubes) or `kelvin`; when both are None the
    light takes the rig's kelvin. See `light_kelvin` for how the `lighting.kelvin` axis moves it.
    """

    role: Literal["key", "fill", "rim", "back", "ambient", "kicker", "practical", "background"]
    type: Literal["area", "point", "spot", "sun"]
    azimuth_offset_deg: float = 0.0
    elevation_deg: Annotated[float, Field(ge=-90.0, le=90.0)] = 30.0
    distance: Positive = 6.0
    power: NonNeg
    size: NonNeg = 1.0
    size_y: NonNeg | None = None
    shape: Literal["SQUARE", "RECTANGLE", "DISK", "ELLIPSE"] = "SQUARE"
    spot_size_deg: Annotated[float, Field(gt=0.0, le=180.0)] = 45.0
    spot_blend: Unit = 0.15
    kelvin: Kelvin | None = None
    color: RGB | None = None


class World(_Params):
    """The environment. uniform: `color` x `strength`. gradient: `horizon_color` to
    `zenith_color` x `strength` (soft interiors, twilight). sky: Blender Sky Texture of
    `sky_type` with sun at `sun_elevation_deg`, azimuth = key azimuth + `sun_azimuth_offset_deg`,
    and the type's parameters (`air_density`, `aerosol_density`, `ozone_density`, `altitude_m`
    for the scattering models; `turbidity`, `ground_albedo` for PREETHAM/HOSEK_WILKIE),
    multiplied by `strength`. Environments are procedural only, no HDRI files.
    """

    kind: Literal["uniform", "gradient", "sky"]
    color: RGB = (0.05, 0.05, 0.05)
    horizon_color: RGB | None = None
    zenith_color: RGB | None = None
    strength: NonNeg = 1.0
    sky_type: Literal["SINGLE_SCATTERING", "MULTIPLE_SCATTERING", "PREETHAM", "HOSEK_WILKIE"] | None = None
    sun_elevation_deg: Annotated[float, Field(ge=-10.0, le=90.0)] = 45.0
    sun_azimuth_offset_deg: float = 0.0
    sun_intensity: NonNeg = 1.0
    sun_size_deg: NonNeg = 0.545
    sun_disc: bool = True
    air_density: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    aerosol_density: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    ozone_density: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    altitude_m: NonNeg = 0.0
    turbidity: Annotated[float, Field(ge=1.0, le=10.0)] = 2.2
    ground_albedo: Unit = 0.3

    @model_validator(mode="after")
    def _kind_fields(self) -> "World":
        if self.kind == "sky" and self.sky_type is None:
            raise ValueError("a sky world needs sky_type")
        if self.kind == "gradient" and (self.horizon_color is None or self.zenith_color is None):
            raise ValueError("a gradient world needs horizon_color and zenith_color")
        return self


class LightingParams(_Params):
    """A lighting setup: a rig of lights around the subject plus the world, at a nominal
    colour temperature `kelvin` (the rig's white point)."""

    kelvin: Kelvin
    lights: tuple[Light, ...] = ()
    world: World

    @model_validator(mode="after")
    def _lit(self) -> "LightingParams":
        if not self.lights and self.world.strength <= 0:
            raise ValueError("a setup needs at least one light or a world with strength > 0")
        return self


def light_kelvin(setup: LightingParams, light: Light, axis_kelvin: float) -> float:
    """The light's colour temperature once the `lighting.kelvin` axis sets the rig's white point.

    The axis replaces the rig's nominal kelvin; a light with its own kelvin keeps its offset from
    the nominal in mireds (so a warm practical stays warmer than the key). Lights with an
    explicit `color` are the renderer's to tint; this returns the shifted white point for them.
    """
    if light.kelvin is None:
        return axis_kelvin
    mired = 1e6 / axis_kelvin + (1e6 / light.kelvin - 1e6 / setup.kelvin)
    return float(min(20000.0, max(1000.0, 1e6 / max(mired, 50.0))))


# ================================================================ camera
class CameraAngleParams(_Params):
    """Where the camera sits relative to the subject: `elevation_deg` above the horizontal
    (-90 = straight up from below, 90 = straight down), `roll_deg` about the view axis (dutch),
    `distance_scale` multiplies the `camera.distance` axis (close-ups < 1), `azimuth_offset_deg`
    turns the camera about the subject, `target_height` moves the aim point (object radii).
    A scaled distance can fall below the subject's radius (close-ups at a short `camera.distance`):
    the renderer keeps the camera outside the subject (at least ~1.1 object radii)."""

    elevation_deg: Annotated[float, Field(ge=-90.0, le=90.0)]
    roll_deg: Annotated[float, Field(ge=-90.0, le=90.0)] = 0.0
    distance_scale: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0
    azimuth_offset_deg: float = 0.0
    target_height: float = 0.0


class CameraMovementParams(_Params):
    """A camera move over a clip (video), or the pose at `still_at` of it for stills (with motion
    blur optional). All deltas are totals over the clip, applied together:
    `dolly` (fraction of the start distance; negative = toward the subject), `truck` (sideways,
    object radii), `pedestal` (up/down, object radii, camera stays level), `crane` (up/down,
    object radii, re-aimed at the subject), `pan_deg` / `tilt_deg` / `roll_deg` (rotation in
    place), `orbit_deg` (around the subject), `zoom` (focal length multiplier at the end),
    handheld shake: `shake_amplitude` (object radii), `shake_rotation_deg`, `shake_frequency_hz`.
    `easing`: LINEAR or EASE_IN_OUT (Bezier)."""

    kind: Literal[
        "static", "dolly", "truck", "pedestal", "pan", "tilt", "orbit", "crane", "zoom",
        "handheld", "dolly_zoom", "arc", "roll",
    ]
    dolly: Annotated[float, Field(ge=-0.9, le=5.0)] = 0.0
    truck: float = 0.0
    pedestal: float = 0.0
    crane: float = 0.0
    pan_deg: float = 0.0
    tilt_deg: float = 0.0
    roll_deg: float = 0.0
    orbit_deg: float = 0.0
    zoom: Annotated[float, Field(gt=0.0, le=10.0)] = 1.0
    shake_amplitude: NonNeg = 0.0
    shake_rotation_deg: NonNeg = 0.0
    shake_frequency_hz: NonNeg = 0.0
    easing: Literal["LINEAR", "EASE_IN_OUT"] = "EASE_IN_OUT"
    still_at: Unit = 1.0

    @property
    def moves(self) -> bool:
        return any(
            v != 0.0
            for v in (
                self.dolly, self.truck, self.pedestal, self.crane, self.pan_deg, self.tilt_deg,
                self.roll_deg, self.orbit_deg, self.shake_amplitude, self.shake_rotation_deg,
            )
        ) or self.zoom != 1.0


class CameraLensParams(_Params):
    """Blender camera type: PERSP (focal length from the `camera.focal_length` axis), ORTHO
    (`ortho_scale` = `ortho_scale_factor` x subject diameter x distance/3), PANO with
    `panorama_type` (Cycles only; EEVEE/Workbench fall back to PERSP) and its fisheye
    parameters. `shift_x`/`shift_y` (tilt-shift), `aperture_ratio` (anamorphic bokeh, >1),
    `aperture_blades`."""

    lens_type: Literal["PERSP", "ORTHO", "PANO"]
    panorama_type: Literal[
        "EQUIRECTANGULAR", "EQUIANGULAR_CUBEMAP_FACE", "MIRRORBALL", "FISHEYE_EQUIDISTANT",
        "FISHEYE_EQUISOLID", "CENTRAL_CYLINDRICAL",
    ] | None = None
    fisheye_fov_deg: Annotated[float, Field(gt=0.0, le=360.0)] = 180.0
    fisheye_lens_mm: Positive = 10.5
    ortho_scale_factor: Positive = 1.0
    shift_x: Annotated[float, Field(ge=-1.0, le=1.0)] = 0.0
    shift_y: Annotated[float, Field(ge=-1.0, le=1.0)] = 0.0
    aperture_ratio: Annotated[float, Field(ge=0.1, le=4.0)] = 1.0
    aperture_blades: Annotated[int, Field(ge=0, le=16)] = 0

    @model_validator(mode="after")
    def _pano(self) -> "CameraLensParams":
        if (self.lens_type == "PANO") != (self.panorama_type is not None):
            raise ValueError("panorama_type is required for PANO and only for PANO")
        return self


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


# ================================================================ geometry
class _Geometry(_Params):
    """Every generator makes a subject that fits a sphere of radius 1 (`fit_radius`), sitting
    on the ground (z = 0) unless `float_above` > 0. `smooth`: smooth shading."""

    smooth: bool = True
    float_above: NonNeg = 0.0


class Primitive(_Geometry):
    """A Blender mesh primitive (`bpy.ops.mesh.primitive_<op>_add`) with its parameters."""

    generator: Literal["primitive"]
    op: Literal["cube", "uv_sphere", "cylinder", "cone", "torus", "ico_sphere", "monkey", "plane", "circle"]
    segments: Annotated[int, Field(ge=3, le=256)] = 32
    rings: Annotated[int, Field(ge=3, le=128)] = 16
    subdivisions: Annotated[int, Field(ge=1, le=6)] = 2
    radius: Positive = 1.0
    depth: Positive = 2.0
    radius_top: NonNeg = 0.0
    major_radius: Positive = 1.0
    minor_radius: Positive = 0.25
    bevel: NonNeg = 0.0


class Rock(_Geometry):
    """An ico sphere (`subdivisions`) displaced along normals by noise of `noise_scale`,
    `noise_detail`, `strength` (object radii), squashed by `scale` (x, y, z)."""

    generator: Literal["rock"]
    subdivisions: Annotated[int, Field(ge=1, le=6)] = 4
    noise_scale: Positive = 1.5
    noise_detail: Annotated[float, Field(ge=0.0, le=15.0)] = 6.0
    strength: NonNeg = 0.35
    scale: tuple[Positive, Positive, Positive] = (1.0, 0.8, 0.65)
    seed: Annotated[int, Field(ge=0)] = 0


class TorusKnot(_Geometry):
    """A (p, q) torus knot tube: curve r = major + minor_ratio*cos(q t); swept tube radius
    `tube_radius`; `resolution` points along the curve, `tube_segments` around it."""

    generator: Literal["torus_knot"]
    p: Annotated[int, Field(ge=1, le=20)]
    q: Annotated[int, Field(ge=1, le=20)]
    major_radius: Positive = 1.0
    minor_ratio: Positive = 0.4
    tube_radius: Positive = 0.15
    resolution: Annotated[int, Field(ge=16, le=4096)] = 512
    tube_segments: Annotated[int, Field(ge=3, le=64)] = 16


class TwistedTorus(_Geometry):
    """A torus whose cross-section (a polygon of `sides`, 0 = circle) rotates `twists` times
    around the ring."""

    generator: Literal["twisted_torus"]
    twists: Annotated[float, Field(ge=0.0, le=20.0)] = 1.5
    sides: Annotated[int, Field(ge=0, le=12)] = 3
    major_radius: Positive = 1.0
    minor_radius: Positive = 0.35
    segments: Annotated[int, Field(ge=16, le=1024)] = 256


class Gear(_Geometry):
    """A spur gear: `teeth` teeth of height `tooth_depth` on radius `radius`, extruded by
    `width`, with a bore of `bore_radius`."""

    generator: Literal["gear"]
    teeth: Annotated[int, Field(ge=4, le=200)]
    radius: Positive = 1.0
    tooth_depth: Positive = 0.15
    width: Positive = 0.3
    bore_radius: NonNeg = 0.2


class Spring(_Geometry):
    """A helix of `turns` turns, radius `radius`, total `height`, swept by a tube of
    `tube_radius`."""

    generator: Literal["spring"]
    turns: Annotated[float, Field(gt=0.0, le=50.0)] = 6.0
    radius: Positive = 0.6
    height: Positive = 1.8
    tube_radius: Positive = 0.08


class Mobius(_Geometry):
    """A Möbius-like band of `half_twists` half twists (1 = Möbius strip), `width`, `thickness`."""

    generator: Literal["mobius"]
    half_twists: Annotated[int, Field(ge=0, le=9)] = 1
    width: Positive = 0.5
    thickness: NonNeg = 0.04


class Supershape(_Geometry):
    """A 3D superformula surface: the product of two superformulas (m, n1, n2, n3 each)."""

    generator: Literal["supershape"]
    m1: float
    n1_1: float
    n2_1: float
    n3_1: float
    m2: float
    n1_2: float
    n2_2: float
    n3_2: float
    resolution: Annotated[int, Field(ge=16, le=512)] = 128


class Lathe(_Geometry):
    """A surface of revolution (vase, goblet, bottle) of a profile through the points
    `profile` [(radius, height)...], bottom to top, revolved with `segments`."""

    generator: Literal["lathe"]
    profile: tuple[tuple[NonNeg, float], ...] = Field(min_length=3)
    segments: Annotated[int, Field(ge=8, le=256)] = 64
    wall: NonNeg = 0.03


class Crystal(_Geometry):
    """A cluster of `count` hexagonal prisms with pointed tips, spread over `spread_deg`."""

    generator: Literal["crystal"]
    count: Annotated[int, Field(ge=1, le=30)] = 1
    sides: Annotated[int, Field(ge=3, le=12)] = 6
    length: Positive = 1.8
    radius: Positive = 0.3
    tip: Positive = 0.4
    spread_deg: Annotated[float, Field(ge=0.0, le=90.0)] = 0.0
    seed: Annotated[int, Field(ge=0)] = 0


class StarPrism(_Geometry):
    """A star polygon of `points` points (inner radius ratio `inner_ratio`) extruded by `depth`,
    bevelled by `bevel`."""

    generator: Literal["star_prism"]
    points: Annotated[int, Field(ge=3, le=24)] = 5
    inner_ratio: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.45
    depth: Positive = 0.4
    bevel: NonNeg = 0.03


class Platonic(_Geometry):
    """A Platonic solid (flat shaded by default)."""

    generator: Literal["platonic"]
    solid: Literal["tetrahedron", "cube", "octahedron", "dodecahedron", "icosahedron"]


class Metaballs(_Geometry):
    """`count` metaballs of radius ~`radius` within `spread`, threshold `threshold`, converted
    to a mesh at `resolution`: an organic blob."""

    generator: Literal["metaballs"]
    count: Annotated[int, Field(ge=1, le=64)] = 6
    radius: Positive = 0.6
    spread: Positive = 0.7
    threshold: Positive = 0.6
    resolution: Positive = 0.08
    seed: Annotated[int, Field(ge=0)] = 0


Geometry = Annotated[
    Union[
        Primitive, Rock, TorusKnot, TwistedTorus, Gear, Spring, Mobius, Supershape, Lathe,
        Crystal, StarPrism, Platonic, Metaballs,
    ],
    Field(discriminator="generator"),
]


# ================================================================ rendering
class EngineParams(_Params):
    """A render engine. `blender_engine` is `scene.render.engine`; `block_name` is the spec's
    render-block name it stands for (each block name belongs to exactly one concept; None for
    variants reachable only through the `render.engine` axis). Bounces apply to Cycles;
    `eevee_raytracing` to EEVEE; `workbench_lighting` / `workbench_color` to Workbench."""

    blender_engine: Literal["CYCLES", "BLENDER_EEVEE", "BLENDER_WORKBENCH"]
    block_name: Literal["cycles", "eevee", "workbench"] | None
    max_bounces: Annotated[int, Field(ge=0, le=1024)] = 12
    diffuse_bounces: Annotated[int, Field(ge=0, le=1024)] = 4
    glossy_bounces: Annotated[int, Field(ge=0, le=1024)] = 4
    transmission_bounces: Annotated[int, Field(ge=0, le=1024)] = 12
    volume_bounces: Annotated[int, Field(ge=0, le=1024)] = 0
    denoise: bool = True
    eevee_raytracing: bool = False
    workbench_lighting: Literal["STUDIO", "MATCAP", "FLAT"] = "STUDIO"
    workbench_color: Literal["MATERIAL", "OBJECT", "SINGLE", "RANDOM"] = "MATERIAL"


# ================================================================ post
class GradeParams(_Params):
    """A colour grade for the compositor's Color Balance (lift/gamma/gain, ASC-CDL-like) then
    saturation and contrast (1 = unchanged), then a multiplicative `tint`."""

    lift: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gamma: tuple[Positive, Positive, Positive] = (1.0, 1.0, 1.0)
    gain: tuple[NonNeg, NonNeg, NonNeg] = (1.0, 1.0, 1.0)
    saturation: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    contrast: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    tint: RGB = (1.0, 1.0, 1.0)

    @model_validator(mode="after")
    def _lift(self) -> "GradeParams":
        if any(not -0.5 <= v <= 0.5 for v in self.lift):
            raise ValueError("lift channels must lie in -0.5..0.5")
        return self


# ================================================================ styles
class StyleParams(_Params):
    """How the picture is drawn. `shading`: photoreal (materials as they are); clay (every
    material replaced by `base_color_override` at `roughness_override`); low_poly (decimate to
    `decimate_ratio`, flat shading); toon (diffuse quantized to `ramp_steps` via Shader to RGB
    + constant colour ramp); sketch (Freestyle/line-art lines of `line_thickness` px in
    `line_color` over `paper_color`, desaturated fill); cartoon (flat colours with `ramp_steps`
    + outlines); anime (cel shading with `ramp_steps`, `rim_strength` rim light, clean lines);
    wireframe (Wireframe modifier of `wire_thickness` object radii); pixel_art (render at
    1/`pixel_size` resolution, nearest upscale, `color_levels` per channel).
    `saturation` scales the material colours (1 = unchanged)."""

    shading: Literal[
        "photoreal", "clay", "low_poly", "toon", "sketch", "cartoon", "anime", "wireframe",
        "pixel_art",
    ]
    base_color_override: RGB | None = None
    roughness_override: Unit | None = None
    flat_shading: bool = False
    decimate_ratio: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    ramp_steps: Annotated[int, Field(ge=2, le=16)] | None = None
    outline: bool = False
    line_thickness: Annotated[float, Field(ge=0.0, le=20.0)] = 0.0
    line_color: RGB = (0.0, 0.0, 0.0)
    paper_color: RGB | None = None
    rim_strength: NonNeg = 0.0
    rim_color: RGB = (1.0, 1.0, 1.0)
    saturation: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    wire_thickness: NonNeg | None = None
    pixel_size: Annotated[int, Field(ge=1, le=64)] | None = None
    color_levels: Annotated[int, Field(ge=2, le=256)] | None = None

    @model_validator(mode="after")
    def _needs(self) -> "StyleParams":
        needs = {
            "clay": ("base_color_override", "roughness_override"),
            "low_poly": ("decimate_ratio",),
            "toon": ("ramp_steps",),
            "cartoon": ("ramp_steps",),
            "anime": ("ramp_steps",),
            "sketch": ("paper_color",),
            "wireframe": ("wire_thickness",),
            "pixel_art": ("pixel_size", "color_levels"),
        }.get(self.shading, ())
        missing = [n for n in needs if getattr(self, n) is None]
        if missing:
            raise ValueError(f"shading {self.shading} needs {', '.join(missing)}")
        if self.shading in ("sketch", "cartoon", "anime") and self.line_thickness <= 0:
            raise ValueError(f"shading {self.shading} needs line_thickness > 0")
        return self


# ================================================================ colour
class HarmonyParams(_Params):
    """Palette hues = `color.base_hue` + each of `hue_offsets_deg` (first is 0: the subject's
    hue; the next go to background, then lights, cycling). `value_steps` (0..1) give the value
    of each palette entry in turn (monochromatic varies value instead of hue); `saturation` is
    the palette's base saturation before the mood scales it."""

    hue_offsets_deg: tuple[float, ...] = Field(min_length=1)
    value_steps: tuple[Unit, ...] = (0.8,)
    saturation: Unit = 0.65

    @model_validator(mode="after")
    def _first(self) -> "HarmonyParams":
        if self.hue_offsets_deg[0] != 0:
            raise ValueError("hue_offsets_deg must start at 0")
        return self


class MoodParams(_Params):
    """Multiplies palette saturation and value, and adds `kelvin_shift` K to the lighting's
    kelvin (negative = warmer light)."""

    saturation_scale: Annotated[float, Field(ge=0.0, le=3.0)]
    value_scale: Annotated[float, Field(ge=0.0, le=3.0)]
    kelvin_shift: Annotated[float, Field(ge=-5000.0, le=5000.0)] = 0.0


# ================================================================ backgrounds
class BackgroundParams(_Params):
    """What is behind and under the subject. sweep: a curved studio backdrop (floor bending up
    behind the subject, bend radius `bend_radius`); floor: an infinite ground plane with the
    world visible above the horizon; void: no geometry, the world colour `color` (or the
    lighting's world when `color` is None) fills the frame; sky: no backdrop, the world is a
    sky (the lighting's sky, or a `horizon_color`->`zenith_color` gradient when the lighting's
    world is uniform); wall: a vertical wall behind the subject on a floor.
    Surface: `color`, `roughness`, `metallic`; `pattern` (checker/grid/brick in `color` and
    `color2` (the lines/mortar) at `pattern_scale` cells per object radius) for floors, sweeps
    and walls."""

    kind: Literal["sweep", "floor", "void", "sky", "wall"]
    color: RGB | None = None
    color2: RGB | None = None
    roughness: Unit = 0.5
    metallic: Unit = 0.0
    pattern: Literal["none", "checker", "grid", "brick"] = "none"
    pattern_scale: Positive = 1.0
    bend_radius: Positive = 1.5
    horizon_color: RGB = (0.75, 0.82, 0.92)
    zenith_color: RGB = (0.18, 0.35, 0.72)

    @model_validator(mode="after")
    def _pattern(self) -> "BackgroundParams":
        if self.pattern != "none" and self.color2 is None:
            raise ValueError("a patterned background needs color2")
        if self.kind in ("sweep", "floor", "wall") and self.color is None:
            raise ValueError(f"a {self.kind} background needs color")
        return self


# ================================================================ registry
DOMAIN_MODELS: dict[str, Any] = {
    "materials": MaterialParams,
    "liquids": Liquid,
    "liquid_forms": LiquidFormParams,
    "gases": Gas,
    "lighting": LightingParams,
    "camera.angles": CameraAngleParams,
    "camera.movements": CameraMovementParams,
    "camera.lenses": CameraLensParams,
    "textures": TextureParams,
    "mappings": MappingParams,
    "geometry": Geometry,
    "rendering.engines": EngineParams,
    "post.grades": GradeParams,
    "styles": StyleParams,
    "color.harmonies": HarmonyParams,
    "color.moods": MoodParams,
    "backgrounds": BackgroundParams,
}
"""Domain path -> the model (or discriminated union) its leaves' `render` must satisfy."""

_ADAPTERS: dict[str, TypeAdapter] = {}


def _adapter(domain: str) -> TypeAdapter:
    if domain not in _ADAPTERS:
        _ADAPTERS[domain] = TypeAdapter(DOMAIN_MODELS[domain])
    return _ADAPTERS[domain]


def domain_of(full_path: str) -> str | None:
    """The domain key a concept path lies in (longest match), or None."""
    best = None
    for domain in DOMAIN_MODELS:
        if full_path == domain or full_path.startswith(domain + "."):
            if best is None or len(domain) > len(best):
                best = domain
    return best


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


def _validate(domain: str, path: str, render: dict[str, Any]) -> Any:
    try:
        return _adapter(domain).validate_python(render)
    except ValidationError as exc:
        raise TaxonomyError(
            f"concept {path}: invalid render parameters for domain {domain}: {_describe(exc)}"
        ) from None


def normalize_render(full_path: str, render: dict[str, Any]) -> dict[str, Any]:
    """A leaf's raw `render` mapping validated and dumped with every default filled in
    (plain JSON-like data). Outside every domain it is returned as is (and rejected later)."""
    domain = domain_of(full_path)
    if domain is None or full_path == domain:
        return render
    params = _validate(domain, full_path, render)
    return _adapter(domain).dump_python(params, mode="json")


def render_params(taxonomy: Any, full_path: str) -> Any:
    """The validated render parameters of the leaf concept `full_path` (a model instance)."""
    concept = taxonomy.concept(full_path)
    if concept is None:
        raise TaxonomyError(f"unknown concept {full_path}")
    domain = domain_of(full_path)
    if domain is None:
        raise TaxonomyError(f"concept {full_path} lies in no render domain")
    return _validate(domain, full_path, concept.render)


def validate_render_params(taxonomy: Any) -> None:
    """Check every concept: leaves of a domain have valid `render` params; inner nodes, and
    nodes outside every domain, carry none; every domain exists and holds a leaf; each block
    engine name belongs to exactly one engine concept."""
    for domain in DOMAIN_MODELS:
        node = taxonomy.concept(domain)
        if node is None:
            raise TaxonomyError(f"render domain {domain} is missing from the concept tree")
        if node.is_leaf:
            raise TaxonomyError(f"render domain {domain} has no concepts under it")
    block_names: dict[str, str] = {}
    for path, concept in taxonomy.concepts.items():
        domain = domain_of(path)
        if not concept.is_leaf or domain is None or path == domain:
            if concept.render:
                raise TaxonomyError(
                    f"concept {path}: only leaves of a domain carry render parameters"
                )
            continue
        if not concept.description:
            raise TaxonomyError(f"concept {path}: missing description")
        if not concept.render:
            raise TaxonomyError(f"concept {path}: a leaf needs render parameters")
        params = _validate(domain, path, concept.render)
        if isinstance(params, EngineParams) and params.block_name is not None:
            if params.block_name in block_names:
                raise TaxonomyError(
                    f"concept {path}: block name {params.block_name} already belongs to "
                    f"{block_names[params.block_name]}"
                )
            block_names[params.block_name] = path
