"""The typed scene model: everything the Blender side needs to build one sample, as data.

A `Scene` knows nothing of the renderer (Kubric's split): `describe` makes one from a samples
row, the worker stores its JSON (`Scene.to_json` / `Scene.from_json` round-trip exactly) and
the builder (`psynth_render.scene.build`) turns it into bpy objects by dispatching on the
element types below.

Parameter bags extend the taxonomy's render-parameter models (psynth_spec.render_params), so
their fields and checks are those of the taxonomy; the scene adds what `describe` resolves
(the concept name, values from the axes, colours after palette, mood and style). Unlike the
taxonomy's models they are mutable, so a test or a later pass can adjust one field.

Elements that later get an instance id carry a stable `element` kind: subject / object (the
`objects` list), liquid / gas (the `effects` list), backdrop; lights carry "light".
"""

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from psynth_spec.render_params.base import RGB, NonNeg, Positive, Unit
from psynth_spec.render_params.looks import EngineParams, GradeParams, StyleParams
from psynth_spec.render_params.staging import BackgroundParams, CameraLensParams, CameraMovementParams, Light, World
from psynth_spec.render_params.surfaces import (
    GasParams, LiquidFormParams, LiquidParams, MappingParams, MaterialParams, TextureParams,
)

FORMAT = 2
"""Version of the scene model's JSON layout (1 was the untyped dict of the first builder)."""

Vec3 = tuple[float, float, float]

_MUTABLE = ConfigDict(frozen=False, extra="forbid", defer_build=True)


class SceneModel(BaseModel):
    """Base of the scene's own parts: mutable, no unknown fields."""

    model_config = _MUTABLE


class _Resolved(BaseModel):
    """Mixed in after a taxonomy parameter model (its config then wins): mutable, and named by
    its concept."""

    model_config = _MUTABLE
    concept: str


# ================================================================ objects
class Geometry(SceneModel):
    """The mesh: a taxonomy geometry concept and its generator's parameters."""

    concept: str
    generator: str | None = None
    params: dict[str, Any] | None = None
    """The generator's parameters (a psynth_spec.render_params.geometry model, as JSON)."""
    subdivision: int | None = None
    rotation_deg: float | None = None
    seed: int | None = None
    subdivision_scheme: Literal["CATMULL_CLARK", "SIMPLE"] | None = None
    """How the `subdivision` levels subdivide (the geometry.subdivision_type concept's)."""
    topology: Literal["mixed", "quads", "triangles", "ngon_free"] | None = None
    """How the finished mesh's faces are made (the geometry.topology concept's mode)."""
    flat: bool | None = None
    """Flat shading (the style's)."""
    # describe fills every field; a scene script's data keeps only the concept (and, for a
    # floating shape, params {"float_above": ...}): its add_objects states the rest in bpy and
    # the build reads the transform and modifiers back (stated_objects.read_objects)


class Material(MaterialParams, _Resolved):
    """The surface: the material concept's parameters, roughness/ior/subsurface from the axes,
    the base colour recoloured by palette, mood and style (clay replaces it)."""


class Mapping(MappingParams, _Resolved):
    """How the texture's coordinates are taken and projected."""


class Texture(TextureParams, _Resolved):
    """The pattern laid over the material (`node` "none": no pattern)."""

    scale: float
    mapping: Mapping


class SceneObject(SceneModel):
    """One object of the scene: the subject (element "subject", centred on the origin with
    unit radius), then, in a multi-object scene, the objects beside it (element "object",
    named `psynth_object_<k>`, placed by describe/placement.py)."""

    kind: Literal["shape"] = "shape"
    """What makes its mesh: "shape", the geometry's generator; "asset", a library file."""
    element: Literal["subject", "object"] = "subject"
    name: str = "psynth_subject"
    """The Blender object's name."""
    pass_index: int | None = None
    """Blender object index = the object's instance id (1 the subject, k + 1 object k; 0 is
    the background): segmentation and instance masks read it."""
    geometry: Geometry
    material: Material | None = None
    """None only in a scene script's data, whose own bpy code makes the material (`add_materials`)."""
    texture: Texture | None = None
    """None only in a scene script's data, for no texture (`node` "none": the builder adds nothing)."""
    location: Vec3 | None = None
    """Centre on the ground plane (x, y); z is nominal (the builder rests the object on the floor)."""
    scale: float | None = None
    """Uniform scale of the unit-radius mesh. (`pass_index`, `location`, `scale`: describe sets
    them; None only in a scene script's data, whose add_objects states them in bpy.)"""
    support: str | None = None
    """The object it is stacked on (`scene.arrangement`): placed over it and lowered onto what
    is below; None: it rests on the ground."""

    @property
    def instance_id(self) -> int:
        return self.pass_index


class AssetRef(SceneModel):
    """A catalog row, as much as the builder needs to fetch, check and import the file."""

    id: str
    catalog: str
    uri: str
    sha256: str
    format: str
    up: Literal["y", "z"] | None = None
    tags: list[str] = []
    """The catalog's tags of the asset (folders and sidecar), for the record."""
    licence: str | None = None


class AssetObject(SceneObject):
    """An object whose mesh is a library asset (`geometry.asset`): imported once per worker,
    normalised to the subject convention (unit radius, centred, upright); its `geometry` keeps
    the rotation and subdivision the axes ask for (generator "asset", no parameters)."""

    kind: Literal["asset"] = "asset"
    asset: AssetRef | None = None
    """None only in a scene script's data (its add_objects imports the asset)."""


ObjectElement = Annotated[Union[SceneObject, AssetObject], Field(discriminator="kind")]


# ================================================================ effects
class LiquidForm(LiquidFormParams, _Resolved):
    """The liquid body's shape (pool, splash, drip...)."""


class LiquidEffect(LiquidParams, _Resolved):
    """A liquid body around the subject (shaped by `form`, spread by `viscosity`). Its material's
    fields (build.medium_settings.LIQUID_FIELDS) are None only in a scene script's data, whose
    own bpy code makes the material (`add_materials`)."""

    element: Literal["liquid"] = "liquid"
    viscosity: float
    form: LiquidForm
    seed: int
    color: RGB | None = None
    ior: Annotated[float, Field(ge=1.0, le=2.5)] | None = None
    roughness: Unit | None = None
    transmission: Unit | None = None
    absorption_color: RGB | None = None
    absorption_density: NonNeg | None = None
    scattering_color: RGB | None = None
    scattering_density: NonNeg | None = None
    scattering_anisotropy: Annotated[float, Field(ge=-1.0, le=1.0)] | None = None
    subsurface: Unit | None = None
    subsurface_radius: tuple[NonNeg, NonNeg, NonNeg] | None = None
    metallic: Unit | None = None
    coat: Unit | None = None
    thin_film_thickness: Annotated[float, Field(ge=0.0, le=100000.0)] | None = None
    density: Annotated[float, Field(ge=500.0, le=20000.0)] | None = None
    surface_tension: Annotated[float, Field(ge=0.0, le=0.5)] | None = None
    """The mass density and surface tension: for the record (the builder's forms read the
    viscosity), None in a scene script's data."""


class GasEffect(GasParams, _Resolved):
    """A volume (smoke, fog, fire...): `density_value` is the shader density; `emits` (a
    GasParams property) whether it glows; `light_rgb` and `light_power` the lamp that stands
    for the light an emitting gas casts; `reach` the half-size of a scene-filling volume. Its
    volume shader's fields (build.medium_settings.GAS_FIELDS) are None only in a scene script's
    data, whose own bpy code makes the material (`add_materials`; the build reads the emission
    back)."""

    element: Literal["gas"] = "gas"
    color: RGB | None = None
    absorption_color: RGB | None = None
    anisotropy: Annotated[float, Field(ge=-1.0, le=1.0)] | None = None
    emission_strength: NonNeg | None = None
    blackbody_intensity: NonNeg | None = None
    density_scale: Positive | None = None
    offset: tuple[float, float, float] | None = None
    """The concept's scale and offset: for the record (`density_value` and `centre` hold what they
    make), None in a scene script's data."""
    density: float
    density_value: float
    centre: Vec3 = (0.0, 0.0, 0.0)
    seed: int
    reach: float
    light_rgb: Vec3 = (1.0, 1.0, 1.0)
    light_power: float = 0.0


Effect = Annotated[LiquidEffect | GasEffect, Field(discriminator="element")]


# ================================================================ staging
class Backdrop(BackgroundParams, _Resolved):
    """What the subject stands in front of (sweep, floor, wall, sky, void...). Its material's
    fields (build.medium_settings.BACKDROP_FIELDS) are None only in a scene script's data: its
    own bpy code makes a sweep's, floor's or wall's material (`add_materials`), and void and
    sky backdrops have none (a void keeps the colour the world shows)."""

    element: Literal["backdrop"] = "backdrop"
    roughness: Unit | None = None
    metallic: Unit | None = None
    pattern: Literal["none", "checker", "grid", "brick"] | None = None
    pattern_scale: Positive | None = None

    @model_validator(mode="after")
    def _pattern(self) -> "Backdrop":
        """BackgroundParams' check, where the data holds the material (not a script's)."""
        if self.roughness is not None:
            BackgroundParams._pattern(self)
        return self


class SceneLight(Light):
    """One lamp of the rig: colour resolved to linear RGB with peak 1, power scaled to match."""

    model_config = _MUTABLE
    element: Literal["light"] = "light"
    azimuth_deg: float
    kelvin: float
    rgb: Vec3
    power: float


class Environment(World):
    """The world shader: the rig's world, the sun turned with the key light, tinted by the
    white balance of the kelvin axis."""

    model_config = _MUTABLE
    sun_azimuth_deg: float
    tint: Vec3
    rotation_deg: float = 0.0
    """An image world's turn about Z (the lighting.hdri_rotation axis); its strength already
    holds lighting.hdri_strength."""
    file: AssetRef | None = None
    """A catalog environment image (the lighting.hdri axis): when set, the world is this image
    whatever `kind` says (the setup's own world is replaced), turned and scaled like `image`."""


class Lighting(SceneModel):
    concept: str
    kelvin: float
    nominal_kelvin: float
    exposure: float = 0.0
    metering_ev: float = 0.0
    """The setup's own exposure offset (LightingParams.metering_ev): the film is exposed at
    `exposure + metering_ev` stops."""
    key_azimuth_deg: float
    lights: list[SceneLight] = []
    world: Environment | None = None
    """None only in a scene script's data, whose own bpy code states the world (`set_world`)."""


class Lens(CameraLensParams, _Resolved):
    """The lens: perspective, orthographic or panoramic."""


class Movement(CameraMovementParams, _Resolved):
    """The camera's move over a clip; `still_at` picks the still's moment."""

    clip_seconds: float
    frames: int = 0
    """Frames of the clip the sample renders (0: stills only): the framing then keeps the
    subject inside every frame's pose, not only the still's (build/framing.py)."""


class CameraView(SceneModel):
    """One camera: its base pose (orbit around `target`), lens and movement over a clip."""

    name: str = "main"
    angle: str
    lens: Lens | None = None
    """The lens and the optics below (focal_length, sensor_width, ortho_scale, dof, scene_fstop)
    are None only in a scene script's data, whose own bpy code states them (`set_camera`)."""
    movement: Movement
    focal_length: float | None = None
    fstop: float
    scene_fstop: float | None = None
    """The f-number scaled to the scene (f/N at subject_radius_m metres per scene unit)."""
    subject_radius_m: float = 0.1
    dof: bool | None = None
    distance: float
    azimuth_deg: float = 0.0
    elevation_deg: float
    roll_deg: float = 0.0
    target: Vec3 = (0.0, 0.0, 0.0)
    sensor_width: float | None = None
    ortho_scale: float | None = None
    floor_clearance: float | None = None
    """How far above the floor the camera must stay (None: no floor)."""
    horizontal_fov_deg: float
    framing: str = "medium"
    """The `camera.framing` concept."""
    framing_share: float = 0.6
    """The subject's projected extent at the still's pose (build.framing), when solved."""
    framing_crop: bool = False
    """The framing crops the subject on purpose (an extreme close-up)."""
    distance_stated: bool = True
    """`camera.distance` was stated (it is used as is); else the builder solves `distance`
    (and `ortho_scale`) from the framing and the subject's bounds."""


class CameraRig(SceneModel):
    """The cameras of the sample: one view, or `render { views N  rig ... }` of them, each the
    main view turned to the rig's azimuth and elevation (describe/camera_rig.py)."""

    views: Annotated[list[CameraView], Field(min_length=1)]
    rig: str | None = None
    """The rig that placed the views (None: a single view)."""

    @property
    def main(self) -> CameraView:
        """The first view: the one the still image is rendered from."""
        return self.views[0]


# ================================================================ looks
class RenderSettings(EngineParams, _Resolved):
    """Engine, samples, resolution, file format and the render seed."""
    engine: str
    samples: int
    width: int
    height: int
    format: str
    seed: int


class Grade(GradeParams, _Resolved):
    """The colour grade (lift, gamma, gain, saturation, contrast, tint)."""


class Post(SceneModel):
    bloom: float = 0.0
    vignette: float = 0.0
    grain: float = 0.0
    chromatic_aberration: float = 0.0
    grade: Grade
    seed: int


class Style(StyleParams, _Resolved):
    """The rendering style, plus compositor finishing: `cel_levels` (cel styles: flat value
    bands) and `posterize` (pixel art: colour levels per channel)."""

    cel_levels: int | None = None
    posterize: int | None = None


class Colour(SceneModel):
    """Colour harmony and mood: the palette (hue/sat/value and linear RGB) that recolours the
    subject (entry 0), background (1) and lights (2...)."""

    harmony: str
    mood: str
    base_hue_deg: float
    palette_hsv: list[Vec3]
    palette: list[Vec3]
    mood_params: dict[str, float]
    spread_deg: float
    kelvin_shift: float = 0.0


# ================================================================ the scene
class Scene(SceneModel):
    """One sample's scene. `axes` holds every registry axis's value (for the record; the
    builder reads only the resolved parts). `render` is None only in a scene script's data,
    whose own bpy code states the render settings (the builder's "render" step); so is `post`
    (its compositor: the "post" step)."""

    format: Literal[2] = FORMAT
    sample_id: int | str | None
    seed: int
    axes: dict[str, Any] = {}
    rendered_axes: list[str] = []
    not_rendered_axes: list[str] = []
    objects: Annotated[list[ObjectElement], Field(min_length=1)]
    effects: list[Effect] = []
    backdrop: Backdrop
    lighting: Lighting
    camera: CameraRig
    render: RenderSettings | None = None
    post: Post | None = None
    style: Style
    color: Colour | None = None
    """The colour axes' harmony, mood and palette, for the record: the parts hold the colours
    they resolved to (the builder never reads it; a scene script's data leaves it out)."""

    @property
    def subject(self) -> SceneObject:
        """The object whose element is "subject" (the camera frames it)."""
        return next(o for o in self.objects if o.element == "subject")

    def effect(self, kind: type) -> Any:
        """The effect of type `kind` (LiquidEffect, GasEffect), or None."""
        return next((e for e in self.effects if isinstance(e, kind)), None)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> "Scene":
        return cls.model_validate_json(text)


__all__ = [
    "FORMAT", "AssetObject", "AssetRef", "Backdrop", "CameraRig", "CameraView", "Colour", "Effect", "Environment", "GasEffect", "Geometry",
    "Grade", "Lens", "Lighting", "LiquidEffect", "LiquidForm", "Mapping", "Material", "Movement", "Post",
    "RenderSettings", "Scene", "SceneLight", "SceneModel", "SceneObject", "Style", "Texture",
]
