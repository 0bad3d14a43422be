"""Render parameters of how the subject is staged: light rigs and worlds, camera angles,
movements and lenses, backgrounds."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from psynth_spec.render_params.base import RGB, Kelvin, NonNeg, Positive, Unit, _Params


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


BUNDLED_HDRIS = ("city", "courtyard", "forest", "interior", "night", "studio", "sunrise", "sunset")
"""The world HDRIs bpy ships in `datafiles/studiolights/world/NAME.exr`."""


class World(_Params):
    """The environment. uniform: `color` x `strength`. gradient: `horizon_color` to
    `zenith_color` x `strength` (soft interiors, twilight). sky: Blender Sky Texture of
    `sky_type` with sun at `sun_elevation_deg`, azimuth = key azimuth + `sun_azimuth_offset_deg`,
    and the type's parameters (`air_density`, `aerosol_density`, `ozone_density`, `altitude_m`
    for the scattering models; `turbidity`, `ground_albedo` for PREETHAM/HOSEK_WILKIE),
    multiplied by `strength`. image: one of Blender's bundled world HDRIs (`image`, a name
    of BUNDLED_HDRIS, CC0 from Poly Haven, shipped inside bpy: nothing downloads) x `strength`.
    """

    kind: Literal["uniform", "gradient", "sky", "image"]
    image: str | None = None
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
        if self.kind == "image" and self.image not in BUNDLED_HDRIS:
            raise ValueError(f"an image world needs image, one of {', '.join(BUNDLED_HDRIS)}")
        return self


class LightingParams(_Params):
    """A lighting setup: a rig of lights around the subject plus the world, at a nominal
    colour temperature `kelvin` (the rig's white point)."""

    kelvin: Kelvin
    lights: tuple[Light, ...] = ()
    world: World
    metering_ev: Annotated[float, Field(ge=0.0, le=8.0)] = 0.0
    """Stops the camera opens up for this setup before `lighting.exposure` applies, as a
    photographer's meter does at night: a dim rig (moonlight, a candle, one spotlight) still
    shows a readable subject in dark surroundings instead of a black frame. Calibrated with
    bench/calibrate_metering.py."""

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
    place; a pan or tilt sweeps across the subject, from -half to +half of it, and a
    perspective lens turns at most half its field of view: build/motion.py `turn_sweep`),
    `orbit_deg` (around the
    subject), `zoom` (focal length multiplier at the end),
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

class CameraFramingParams(_Params):
    """How much of the frame the subject takes: `share` is the span of the subject's projected
    bounds over the frame's shorter side (the larger of its width and height spans; over 1
    crops it). The camera distance is solved from it, the subject's bounds, the focal length
    and the lens (orthographic scale, fisheye field), unless `camera.distance` is stated.
    `crop` says the framing cuts the subject on purpose (no `subject_cropped` QC reason)."""

    share: Annotated[float, Field(gt=0.0, le=4.0)]
    crop: bool = False


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
